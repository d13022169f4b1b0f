import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { LabelledText } from './triage.classifier.js';

/**
 * A labelled text file in the layout `npm run eval:triage` and `npm run bench -- triage` read
 * (`DIR/train.csv`, `DIR/test.csv`): UTF-8 CSV with the columns `text,category`, a header row,
 * RFC 4180 quoting; a byte-order mark is allowed.
 */
export async function readLabelledCsv(file: string): Promise<LabelledText[]> {
  const rows = parse(await readFile(file), { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string | undefined>[];
  if (!rows.length) throw new Error(`${file}: no rows`);
  return rows.map((row, i) => {
    if (row.text === undefined || !row.category) throw new Error(`${file}: row ${i + 2} needs the columns text and category`);
    return { text: row.text, label: row.category };
  });
}
