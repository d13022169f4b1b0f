import type { Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, unsupportedMediaType, validationFailed } from '../../core/errors.js';
import { actorOf, requireAgent } from '../accounts/index.js';
import { allowedAttachmentExtensions, type AttachmentStore } from '../../core/storage/attachments.js';
import { attachmentUrl } from './tickets.routes.js';
import type { StoredFile, TicketsService } from './tickets.service.js';
import { messageView } from './tickets.views.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import { AttachmentLimitsView, MessageView, Status } from '../../contracts/tickets.js';
import { ticketErrors } from './tickets.errors.js';

/**
 * Agents' replies and notes with attachments: `POST /tickets/:id/messages/multipart`, the
 * multipart twin of the JSON message route. Registered under the request context, so the agent
 * and the CSRF check come first; a cookie session must send `x-csrf-token` (the request context
 * checks the header in preValidation, before a byte of the body is read), API tokens need none.
 * Multipart is registered here only: every other API route keeps refusing it.
 */
export interface TicketsUploadsOptions {
  tickets: TicketsService;
  store: AttachmentStore;
  attachmentMaxBytes: number;
}

const MAX_FILES = 10;
const FILE_FIELD = 'files';

/** Browsers send line breaks in form fields as CRLF; messages keep plain LF, as from the JSON route. */
const lines = (value: unknown) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : value);

/** The text fields, checked as the JSON route checks them. */
const Fields = z.strictObject({
  kind: z.enum(['reply', 'note']),
  body: z.preprocess(lines, z.string().max(100_000)),
  status: Status.optional(),
}).refine((fields) => fields.body.trim() !== '', { message: 'a message needs a body', path: ['body'] });

/** The same form for the OpenAPI document (the route reads the stream itself; see `validatorCompiler` below). */
const FormDoc = z.object({
  kind: z.enum(['reply', 'note']),
  body: z.string().min(1).max(100_000).describe('Plain text; CRLF line breaks become LF'),
  status: Status.optional().describe('Set the status with the message, e.g. "solved"'),
  files: z.array(z.file()).max(MAX_FILES).optional().describe(`Up to ${MAX_FILES} files; allowed types: ${allowedAttachmentExtensions.join(', ')}`),
});

/** Validates params and the rest with zod, and lets the body (the multipart stream, unread) pass as is. */
const streamedBody: FastifySchemaCompiler<z.ZodType> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route);

async function drain(stream: Readable): Promise<void> {
  stream.resume();
  if (!stream.readableEnded && !stream.destroyed) await new Promise<void>((resolve) => { stream.once('end', resolve); stream.once('close', resolve); });
}

export const ticketsUploads = (options: TicketsUploadsOptions): FastifyPluginAsyncZod => async (app) => {
  const { tickets, store } = options;

  // The busboy file limit is one byte over the store's, so the store (which counts while
  // streaming) is the one that refuses an oversize file, with ATTACHMENT_TOO_LARGE.
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: false,
    limits: { files: MAX_FILES, fileSize: options.attachmentMaxBytes + 1, fields: 10, fieldSize: 512 * 1024, parts: MAX_FILES + 10, headerPairs: 100 },
  });

  // In this plugin only: the body is a stream the handler reads itself; params go through zod as everywhere.
  app.setValidatorCompiler(streamedBody);

  /**
   * Reads the form: text fields into a record, each file through the store (type and size
   * checked on the way). After the first refusal the rest is drained, not stored, so the client
   * still gets the error rather than a reset connection. Returns the files stored so far even
   * on error: the caller removes them.
   */
  async function readForm(request: FastifyRequest, files: StoredFile[]): Promise<{ fields: Record<string, string | string[]>; error?: AppError }> {
    const fields = Object.create(null) as Record<string, string | string[]>; // the sender names the fields: no prototype to reach
    let error: AppError | undefined;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          if (part.valueTruncated) error ??= validationFailed('A field is too long', { field: part.fieldname });
          const value = String(part.value);
          const seen = fields[part.fieldname];
          fields[part.fieldname] = seen === undefined ? value : [seen, value].flat();
          continue;
        }
        if (error || !part.filename) { await drain(part.file); continue; } // after a refusal, or a file input left empty
        if (part.fieldname !== FILE_FIELD) {
          error = validationFailed(`Files go in the "${FILE_FIELD}" field`, { field: part.fieldname });
          await drain(part.file);
          continue;
        }
        try {
          files.push(await store.save({ filename: part.filename, stream: part.file }));
        } catch (failure) {
          if (!(failure instanceof AppError)) throw failure;
          error = failure;
        }
      }
    } catch (failure) {
      if (failure instanceof AppError) throw failure;
      // Busboy's own limits (too many files, fields or parts) or a body cut off on the way.
      const code = (failure as { code?: string }).code;
      if (code === undefined || !code.startsWith('FST_')) throw failure;
      error ??= code === 'FST_FILES_LIMIT'
        ? ticketErrors.attachmentTooMany(`At most ${MAX_FILES} files may be attached`, { maxFiles: MAX_FILES })
        : validationFailed('The form could not be read', undefined, { cause: failure });
    }
    return { fields, error };
  }

  app.post('/tickets/:id/messages/multipart', {
    preHandler: requireAgent(),
    schema: {
      tags: ['tickets'],
      summary: 'Reply or add an internal note with attachments (multipart/form-data)',
      description: `The multipart twin of \`POST /tickets/{id}/messages\`: fields \`kind\`, \`body\`, optional \`status\`, and up to ${MAX_FILES} files in \`${FILE_FIELD}\`, each at most ${options.attachmentMaxBytes} bytes. `
        + 'A file that is too large (413 `ATTACHMENT_TOO_LARGE`) or of a forbidden type (415 `ATTACHMENT_TYPE_FORBIDDEN`) refuses the whole message: nothing is stored. '
        + 'With the session cookie, send the CSRF token in the `x-csrf-token` header.',
      consumes: ['multipart/form-data'],
      params: IdParams,
      body: FormDoc,
      response: { 201: MessageView, 400: ErrorView, 403: ErrorView, 404: ErrorView, 409: ErrorView, 413: ErrorView, 415: ErrorView },
    },
  }, async (request, reply) => {
    // Before a byte is written: another workspace's ticket, or none, is a 404 with nothing stored.
    await tickets.ticket(request.workspace.id, request.params.id);
    if (!request.isMultipart()) throw unsupportedMediaType('Send this route multipart/form-data; the JSON route is POST /tickets/:id/messages');
    const files: StoredFile[] = [];
    let committed = false;
    try {
      const form = await readForm(request, files);
      if (form.error) throw form.error;
      const parsed = Fields.safeParse(form.fields);
      if (!parsed.success) {
        throw validationFailed('The request is not valid',
          parsed.error.issues.map((issue) => ({ path: `body.${issue.path.join('.')}`, message: issue.message })));
      }
      const message = await tickets.addMessage(request.workspace.id, request.params.id, { ...parsed.data, attachments: files }, actorOf(request));
      committed = true;
      return reply.code(201).send(messageView(message, attachmentUrl));
    } finally {
      // A refused form, a closed ticket, a crash: files not recorded with a message go.
      if (!committed) await Promise.all(files.map((file) => store.remove(file.storageKey)));
    }
  });

  app.get('/attachment-limits', {
    preHandler: requireAgent(),
    schema: {
      tags: ['tickets'], summary: 'What may be attached to a message: size per file, number of files, file types (the server still checks every upload)',
      response: { 200: AttachmentLimitsView },
    },
  }, async () => ({ maxBytes: options.attachmentMaxBytes, maxFiles: MAX_FILES, extensions: allowedAttachmentExtensions }));
};
