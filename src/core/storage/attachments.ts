import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import { withoutBidiControls } from '../text.js';

/** A stored file as its owner records it. */
export interface StoredFile {
  filename: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
}

/**
 * File types customers and agents may attach, by extension, with the type they are served as.
 * Anything else (executables, scripts, HTML, SVG …) is refused: an attachment must never run.
 */
const ALLOWED: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic',
  pdf: 'application/pdf', txt: 'text/plain', log: 'text/plain', csv: 'text/csv', json: 'application/json',
  eml: 'message/rfc822', zip: 'application/zip',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  mp4: 'video/mp4', mov: 'video/quicktime',
};

export const allowedAttachmentExtensions = Object.keys(ALLOWED);

export interface AttachmentStore {
  /** Streams a file to storage, checking its type and size on the way; nothing is kept if a check fails. */
  save(file: { filename: string; stream: Readable }): Promise<StoredFile>;
  /** A stored file's bytes; a missing file fails the stream with ATTACHMENT_NOT_FOUND. */
  open(storageKey: string): Readable;
  /** Sends a stored file as a download that a browser will never render in the page. */
  send(reply: FastifyReply, attachment: { storage_key: string; filename: string; content_type: string; size_bytes: number }): FastifyReply;
  remove(storageKey: string): Promise<void>;
}

export function safeFilename(name: string): string {
  const base = withoutBidiControls(path.basename(name.replace(/\\/g, '/')).normalize('NFC'));
  // Control characters and the characters file systems or headers choke on become '_'.
  const cleaned = [...base].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || '"<>|:*?/\\'.includes(c) ? '_' : c)).join('').trim().slice(-150);
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : 'attachment';
}

export function attachmentType(filename: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  const type = extension ? ALLOWED[extension] : undefined;
  if (!type) {
    throw new AppError('ATTACHMENT_TYPE_FORBIDDEN', 415, `Files of this type cannot be attached; allowed: ${allowedAttachmentExtensions.join(', ')}`, { filename });
  }
  return type;
}

/**
 * Counts and hashes a file as it streams past, failing with ATTACHMENT_TOO_LARGE as soon as it passes
 * `maxBytes`, so every store enforces the limit before the file is whole and keeps nothing of it.
 */
export function attachmentMeter(source: Readable, filename: string, maxBytes: number): { transform: Transform; result(): { sizeBytes: number; sha256: string } } {
  const hash = createHash('sha256');
  let size = 0;
  const tooLarge = () => new AppError('ATTACHMENT_TOO_LARGE', 413, `Attachments may be at most ${Math.floor(maxBytes / 1024 / 1024)} MB`, { filename, maxBytes });
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(tooLarge());
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      // A multipart stream cut off at its own size limit ends quietly; it must not count as a whole file.
      // Failing here, before the end passes on, keeps the store from completing the file.
      done((source as Readable & { truncated?: boolean }).truncated ? tooLarge() : null);
    },
  });
  return { transform, result: () => ({ sizeBytes: size, sha256: hash.digest('hex') }) };
}

/** Every store serves files the same way: as a download a browser never renders or sniffs. */
export function sendAsDownload(reply: FastifyReply, attachment: { filename: string; content_type: string; size_bytes: number }, body: Readable): FastifyReply {
  return reply
    .header('content-type', attachment.content_type)
    .header('content-length', attachment.size_bytes)
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(body);
}

/**
 * What every store does first: a safe name, a type from the allow-list (or the refusal, after
 * draining the stream so the rest of the request can still be read) and a fresh `<yyyy-mm>/<uuid>` key.
 */
export function newAttachment(file: { filename: string; stream: Readable }): { filename: string; contentType: string; storageKey: string } {
  const filename = safeFilename(file.filename);
  try {
    return { filename, contentType: attachmentType(filename), storageKey: `${new Date().toISOString().slice(0, 7)}/${randomUUID()}` };
  } catch (error) {
    file.stream.resume();
    throw error;
  }
}

/** Files under `<dataDir>/attachments/<yyyy-mm>/<uuid>`, written to a temporary name and renamed when complete. */
export class DiskAttachmentStore implements AttachmentStore {
  constructor(private readonly root: string, private readonly maxBytes: number) {}

  async save(file: { filename: string; stream: Readable }): Promise<StoredFile> {
    const { filename, contentType, storageKey } = newAttachment(file);
    const target = path.join(this.root, storageKey);
    const partial = `${target}.partial`;
    await mkdir(path.dirname(target), { recursive: true });
    const meter = attachmentMeter(file.stream, filename, this.maxBytes);
    try {
      await pipeline(file.stream, meter.transform, createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, target);
    } catch (error) {
      file.stream.resume();
      await rm(partial, { force: true });
      throw error;
    }
    return { filename, contentType, ...meter.result(), storageKey };
  }

  open(storageKey: string): Readable {
    // A file gone from disk (a restore without the data directory, a manual clean-up) is a 404 for
    // whoever asks, as it is from S3, not a 500 (issue 12 #16).
    // Not pipeline(): it would destroy `body` with the raw ENOENT before this could name it.
    const body = new PassThrough();
    const file = createReadStream(this.pathOf(storageKey));
    file.on('error', (error: NodeJS.ErrnoException) => {
      body.destroy(error.code === 'ENOENT' ? new AppError('ATTACHMENT_NOT_FOUND', 404, 'attachment not found') : error);
    });
    body.on('close', () => file.destroy());
    return file.pipe(body);
  }

  send(reply: FastifyReply, attachment: { storage_key: string; filename: string; content_type: string; size_bytes: number }): FastifyReply {
    return sendAsDownload(reply, attachment, this.open(attachment.storage_key));
  }

  async remove(storageKey: string): Promise<void> {
    await rm(this.pathOf(storageKey), { force: true });
  }

  private pathOf(storageKey: string): string {
    if (!/^\d{4}-\d{2}\/[0-9a-f-]{36}$/.test(storageKey)) throw new AppError('ATTACHMENT_NOT_FOUND', 404, 'attachment not found');
    return path.join(this.root, storageKey);
  }
}
