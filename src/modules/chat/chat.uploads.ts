import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { unsupportedMediaType } from '../../core/errors.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import { CHAT_LIMITS } from '../../contracts/chat.js';
import type { StoredFile } from '../tickets/index.js';
import { chatErrors } from './chat.errors.js';

const ClientMessageId = z.string().regex(new RegExp(CHAT_LIMITS.clientMessageIdPattern));

/**
 * Multipart for one chat file (`file`, optional `clientMessageId`) in the plugin it is registered
 * in. The busboy file limit is one byte over the store's, so the store (which counts while
 * streaming, and checks the type as ticket attachments do) refuses an oversize file with
 * ATTACHMENT_TOO_LARGE.
 */
export async function chatFileMultipart(plugin: FastifyInstance, attachmentMaxBytes: number): Promise<void> {
  await plugin.register(fastifyMultipart, {
    throwFileSizeLimit: false,
    limits: { files: 1, fileSize: attachmentMaxBytes + 1, fields: 2, fieldSize: 256, parts: 3, headerPairs: 50 },
  });
}

/**
 * A chat file from either side (the visitor's token route, the agent's console route): reads the
 * form, stores the one file through the attachment store and hands it to `post`, which writes the
 * message. A file whose message was not written (bad form, refused, ended chat) is removed again.
 */
export async function receiveChatFile<T>(request: FastifyRequest, store: AttachmentStore, post: (file: StoredFile, clientMessageId: string) => Promise<T>): Promise<T> {
  if (!request.isMultipart()) throw unsupportedMediaType('Send multipart/form-data with a `file`');
  const files: StoredFile[] = [];
  let clientMessageId: string | undefined;
  let committed = false;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname !== 'clientMessageId') throw chatErrors.validation('Unknown field', { field: part.fieldname });
        const parsed = ClientMessageId.safeParse(String(part.value));
        if (!parsed.success) throw chatErrors.validation('clientMessageId is not valid', { field: 'clientMessageId' });
        clientMessageId = parsed.data;
      } else if (part.fieldname === 'file' && part.filename) {
        files.push(await store.save({ filename: part.filename, stream: part.file }));
      } else {
        part.file.resume();
        throw chatErrors.validation('Files go in the "file" field', { field: part.fieldname });
      }
    }
    if (files.length !== 1) throw chatErrors.validation('Attach one file in the "file" field');
    const result = await post(files[0]!, clientMessageId ?? `file-${files[0]!.sha256.slice(0, 40)}`);
    committed = true;
    return result;
  } finally {
    if (!committed) await Promise.all(files.map((file) => store.remove(file.storageKey)));
  }
}
