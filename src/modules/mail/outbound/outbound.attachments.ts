import { PassThrough, Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { AttachmentStore } from '../../tickets/attachments.store.js';

type StoredAttachment = { storage_key: string; filename: string; content_type: string; size_bytes: number };

/**
 * The attachment store's port offers a file only as an HTTP download (`send(reply, …)`). Until it
 * has a plain read, this adapter hands it a stand-in reply that keeps the body stream, so the
 * mail reads the same bytes, from disk or S3, that a download would.
 */
export function readStoredAttachment(store: AttachmentStore, attachment: StoredAttachment): Readable {
  const out = new PassThrough();
  const capture = {
    header() { return capture; },
    send(body: unknown) {
      if (body instanceof Readable) {
        body.on('error', (error) => out.destroy(error));
        body.pipe(out);
      } else {
        out.end(Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? '')));
      }
      return capture;
    },
  };
  try {
    store.send(capture as unknown as FastifyReply, attachment);
  } catch (error) {
    out.destroy(error as Error);
  }
  return out;
}
