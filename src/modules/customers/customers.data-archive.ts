import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { safeFilename } from '../../core/storage/attachments.js';
import type { CustomerExport } from './customers.data-rights.js';

/**
 * A CSV cell that a spreadsheet would run as a formula starts with a quote instead (CSV injection);
 * a phone number such as +86 139 … is only a number to a spreadsheet, and stays as it is.
 */
export const safeCell = (cell: string) => (/^[=@\t\r]/.test(cell) || (/^[+-]/.test(cell) && !/^[+-][\d\s().-]*$/.test(cell)) ? `'${cell}` : cell);

type Cell = string | number | boolean | Date | null | undefined;
const text = (cell: Cell) => (cell === null || cell === undefined ? '' : cell instanceof Date ? cell.toISOString() : String(cell));
/** UTF-8 with a BOM (Excel reads it as UTF-8 only then), CRLF lines, formula-looking cells defused. */
const csv = (header: string[], rows: Cell[][]) =>
  Buffer.from(`\uFEFF${stringify([header, ...rows.map((row) => row.map((cell) => safeCell(text(cell))))], { record_delimiter: 'windows' })}`);

/** Where an attachment lies in the archive: by ticket and message, so two files of one name do not collide. */
const attachmentPath = (ticket: number, message: number, index: number, filename: string) =>
  `attachments/${ticket}/${message + 1}-${index + 1}-${safeFilename(filename)}`;

/** The stored files of the export's attachments, by their archive path. */
export type AttachmentOpener = (storageKey: string) => Readable;

/**
 * The customer's data as one zip: `data.json` (everything, as the JSON export, each attachment
 * naming its file in the archive), one CSV per kind (tickets, messages, products, orders, consents:
 * the consent log), and the attachments of their tickets' public replies. Built while it is sent,
 * attachment by attachment, waiting when the reader is slower than the zip.
 */
export function customerDataArchive(data: CustomerExport, open: AttachmentOpener): Readable {
  const out = new PassThrough();
  const zip = new Zip((error, chunk, final) => {
    if (error) out.destroy(error);
    else {
      out.write(chunk);
      if (final) out.end();
    }
  });
  const add = (name: string, bytes: Buffer) => {
    const entry = new ZipDeflate(name, { level: 6 });
    zip.add(entry);
    entry.push(bytes, true);
  };

  void (async () => {
    try {
      const files: { path: string; storageKey: string }[] = [];
      const tickets = data.tickets.map((ticket) => ({
        ...ticket,
        messages: ticket.messages.map((message, m) => ({
          ...message,
          attachments: message.attachments.map(({ storageKey, ...attachment }, a) => {
            const path = attachmentPath(ticket.number, m, a, attachment.filename);
            files.push({ path, storageKey });
            return { ...attachment, file: path };
          }),
        })),
      }));
      add('data.json', Buffer.from(JSON.stringify({ ...data, tickets }, null, 2)));
      add('tickets.csv', csv(['number', 'subject', 'status', 'channel', 'created_at', 'updated_at'],
        tickets.map((t) => [t.number, t.subject, t.status, t.channel, t.createdAt, t.updatedAt])));
      add('messages.csv', csv(['ticket', 'from', 'channel', 'at', 'text', 'attachments'],
        tickets.flatMap((t) => t.messages.map((m) => [t.number, m.from, m.channel, m.at, m.text, m.attachments.map((a) => a.file).join(';')]))));
      add('products.csv', csv(['model', 'serial', 'purchased_on', 'warranty_until', 'bought_from', 'registered_at'],
        data.products.map((p) => [p.model, p.serial, p.purchasedOn, p.warrantyUntil, p.boughtFrom, p.registeredAt])));
      add('orders.csv', csv(['reference', 'ordered_at', 'amount', 'currency', 'line', 'quantity', 'line_amount'],
        data.purchases.flatMap((o) => o.lines.map((l) => [o.reference, o.orderedAt, o.amount, o.currency, l.description, l.quantity, l.amount]))));
      add('consents.csv', csv(['purpose', 'granted', 'channel', 'wording_version', 'changed_by', 'changed_at'],
        data.consentLog.map((c) => [c.purpose, c.granted, c.channel, c.wordingVersion, c.changedBy, c.changedAt])));
      for (const file of files) {
        // Stored as they are: attachments are mostly compressed already (images, PDFs, office files).
        const entry = new ZipPassThrough(file.path);
        zip.add(entry);
        for await (const chunk of open(file.storageKey)) {
          entry.push(chunk as Buffer);
          if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), once(out, 'close')]);
          // The reader went away (a closed download): stop reading files for nobody.
          if (out.destroyed) return;
        }
        entry.push(new Uint8Array(0), true);
      }
      zip.end();
    } catch (error) {
      out.destroy(error as Error);
    }
  })();
  return out;
}
