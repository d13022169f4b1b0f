/**
 * `npm run eval:triage [-- --data DIR …]`: accuracy of Kefu's triage classifier on intent / category
 * sets (`DIR/train.csv` and `DIR/test.csv`, columns `text,category`, UTF-8), trained on train.csv and
 * tested on test.csv, beside the reference measured the same way in the same run: word 1–2 +
 * character 2–5 TF-IDF in one vector with a linear SVM, C = 1 (see triage.classifier.ts). Prints one
 * JSON line per system and data set on stdout, progress and timings on stderr. Defaults: BANKING77
 * (../shared/datasets/banking77) and the Chinese xSID set in test/data/triage/xsid_zh.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppError } from '../src/core/errors.js';
import {
  KEFU_SETTINGS, REFERENCE_SETTINGS, TriageClassifier, type ClassifierSettings,
} from '../src/modules/triage/triage.classifier.js';
import { readLabelledCsv } from '../src/modules/triage/triage.dataset.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SETS = ['../shared/datasets/banking77', 'test/data/triage/xsid_zh'].map((p) => path.resolve(root, p));
const SYSTEMS: [string, ClassifierSettings][] = [['kefu', KEFU_SETTINGS], ['reference', REFERENCE_SETTINGS]];

/** A test text with no words counts as a wrong answer: the classifier refuses it (TRIAGE_EMPTY_TEXT). */
function predicted(classifier: TriageClassifier, text: string): string | undefined {
  try {
    return classifier.predict(text).label;
  } catch (error) {
    if (error instanceof AppError && error.code === 'TRIAGE_EMPTY_TEXT') return undefined;
    throw error;
  }
}

async function evaluate(dir: string): Promise<void> {
  const dataset = path.basename(dir);
  const [train, test] = await Promise.all([readLabelledCsv(path.join(dir, 'train.csv')), readLabelledCsv(path.join(dir, 'test.csv'))]);
  process.stderr.write(`eval: ${dataset}: ${train.length} training and ${test.length} test texts, ${new Set(train.map((t) => t.label)).size} labels\n`);
  for (const [system, settings] of SYSTEMS) {
    const started = performance.now();
    const classifier = TriageClassifier.train(train, settings);
    const trained = performance.now();
    let correct = 0;
    for (const { text, label } of test) if (predicted(classifier, text) === label) correct++;
    const accuracy = correct / test.length;
    process.stderr.write(`eval: ${dataset} ${system}: accuracy ${(accuracy * 100).toFixed(2)} %, trained in ${((trained - started) / 1000).toFixed(1)} s, tested in ${((performance.now() - trained) / 1000).toFixed(1)} s\n`);
    process.stdout.write(`${JSON.stringify({ eval: 'triage', dataset, system, accuracy: Number(accuracy.toFixed(4)) })}\n`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string', multiple: true } } });
  for (const dir of values.data?.map((d) => path.resolve(d)) ?? DEFAULT_SETS) await evaluate(dir);
}

main().catch((error: unknown) => {
  console.error('eval:triage:', error instanceof Error ? error.message : error);
  process.exit(1);
});
