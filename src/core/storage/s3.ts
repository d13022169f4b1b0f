import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FastifyReply } from 'fastify';
import type { S3Config } from '../config.js';
import { AppError } from '../errors.js';
import { attachmentMeter, newAttachment, sendAsDownload, type AttachmentStore, type StoredFile } from './attachments.js';

interface Sdk {
  s3: typeof import('@aws-sdk/client-s3');
  Upload: typeof import('@aws-sdk/lib-storage').Upload;
  client: S3Client;
}

/** Whole parts of a multipart upload held in memory at once: memory per upload is about this × 5 MB, whatever the file's size. */
const UPLOAD_QUEUE_SIZE = 2;
const STORAGE_KEY = /^\d{4}-\d{2}\/[0-9a-f-]{36}$/;

/**
 * Objects at `<keyPrefix><yyyy-mm>/<uuid>` in an S3-compatible bucket: the same storage keys as
 * the disk store, so a data dir's `attachments/` folder can be copied into the bucket as it is.
 * A file is streamed up in parts as it arrives; a failed check aborts the upload, so no object remains.
 */
export class S3AttachmentStore implements AttachmentStore {
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private sdk: Promise<Sdk> | undefined;

  constructor(private readonly settings: S3Config, private readonly maxBytes: number) {
    this.bucket = settings.bucket;
    this.keyPrefix = settings.keyPrefix ?? '';
  }

  /** The AWS SDK is large; it is loaded on first use, so installs without S3 never pay for it. */
  private load(): Promise<Sdk> {
    this.sdk ??= Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]).then(([s3, storage]) => ({
      s3,
      Upload: storage.Upload,
      client: new s3.S3Client({
        endpoint: this.settings.endpoint,
        region: this.settings.region,
        forcePathStyle: this.settings.forcePathStyle,
        credentials: { accessKeyId: this.settings.accessKeyId, secretAccessKey: this.settings.secretAccessKey },
      }),
    }));
    return this.sdk;
  }

  async save(file: { filename: string; stream: Readable }): Promise<StoredFile> {
    const { filename, contentType, storageKey } = newAttachment(file);
    const key = this.objectKey(storageKey);
    const { s3, Upload, client } = await this.load();
    const meter = attachmentMeter(file.stream, filename, this.maxBytes);
    const upload = new Upload({
      client,
      queueSize: UPLOAD_QUEUE_SIZE,
      params: { Bucket: this.bucket, Key: key, Body: meter.transform, ContentType: contentType },
    });
    // A failed check (too large) is the error to report, whatever the upload made of its broken stream.
    let checkFailure: unknown;
    const feeding = pipeline(file.stream, meter.transform).catch((error: unknown) => {
      checkFailure = error;
    });
    try {
      await upload.done();
      await feeding;
      if (checkFailure) throw checkFailure;
    } catch (error) {
      meter.transform.destroy();
      file.stream.resume();
      await feeding;
      // Upload aborts its multipart upload itself; the delete covers a single-part object that
      // landed before the failure. Neither may hide the error that caused them.
      await client.send(new s3.DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined);
      throw checkFailure instanceof AppError ? checkFailure : error;
    }
    return { filename, contentType, ...meter.result(), storageKey };
  }

  /** The stream is returned at once and gets the object's bytes once S3 answers. */
  open(storageKey: string): Readable {
    const key = this.objectKey(storageKey);
    const body = new PassThrough();
    this.load().then(({ s3, client }) => client.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key: key })).then(
      (object) => pipeline(object.Body as Readable, body),
      (error: unknown) => {
        body.destroy(error instanceof s3.NoSuchKey ? new AppError('ATTACHMENT_NOT_FOUND', 404, 'attachment not found') : error as Error);
      },
    )).catch((error: unknown) => body.destroy(error as Error));
    return body;
  }

  send(reply: FastifyReply, attachment: { storage_key: string; filename: string; content_type: string; size_bytes: number }): FastifyReply {
    // An error before the first byte (a missing object) still becomes an error response, since nothing was sent yet.
    return sendAsDownload(reply, attachment, this.open(attachment.storage_key));
  }

  async remove(storageKey: string): Promise<void> {
    // S3 answers a delete of a missing key with success, like the disk store's rm --force.
    const { s3, client } = await this.load();
    await client.send(new s3.DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(storageKey) }));
  }

  private objectKey(storageKey: string): string {
    if (!STORAGE_KEY.test(storageKey)) throw new AppError('ATTACHMENT_NOT_FOUND', 404, 'attachment not found');
    return `${this.keyPrefix}${storageKey}`;
  }
}
