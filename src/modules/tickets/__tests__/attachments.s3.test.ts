import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { AppError } from '../../../core/errors.js';
import { createLogger } from '../../../core/logger.js';
import { sendError, toErrorResponse } from '../../../transport/http/errors.js';
import type { S3Config } from '../../../core/config.js';
import { S3AttachmentStore } from '../../../core/storage/s3.js';
import { DiskAttachmentStore, type AttachmentStore } from '../../../core/storage/attachments.js';
import type { StoredFile } from '../tickets.service.js';

// s3rver ships no types; this is the little of it the tests use.
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverServer;

const MB = 1024 * 1024;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let server: S3rverServer;
let directory: string;
let settings: S3Config;
let client: S3Client;
/** Names of the commands the stores' clients send, to see the multipart upload aborted. */
const sent: string[] = [];

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'kefu-s3-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  settings = { endpoint: `http://127.0.0.1:${port}`, bucket: 'attachments', region: 'us-east-1', ...credentials, forcePathStyle: true };
  client = new S3Client({ endpoint: settings.endpoint, region: settings.region, forcePathStyle: true, credentials });
  await client.send(new CreateBucketCommand({ Bucket: settings.bucket }));
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

function store(maxBytes = MB, extra: Partial<S3Config> = {}): S3AttachmentStore {
  const s3 = new S3AttachmentStore({ ...settings, ...extra }, maxBytes);
  // Watches the real client's traffic once the store has loaded the SDK; nothing is stubbed.
  const lazy = s3 as unknown as { load(): Promise<{ client: S3Client }> };
  const load = lazy.load.bind(s3);
  let watching: Promise<{ client: S3Client }> | undefined;
  lazy.load = () => (watching ??= load().then((sdk) => {
    sdk.client.middlewareStack.add((next, context) => (args) => {
      sent.push(context.commandName ?? '');
      return next(args);
    }, { step: 'initialize' });
    return sdk;
  }));
  return s3;
}

async function objectKeys(): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

async function objectBytes(key: string): Promise<Buffer> {
  const object = await client.send(new GetObjectCommand({ Bucket: settings.bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** A stream in chunks, as an upload arrives. */
function chunked(bytes: Buffer, size = 64 * 1024): Readable {
  return Readable.from((function* () {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  })());
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function download(attachments: AttachmentStore, file: StoredFile) {
  const app = Fastify();
  // As the app answers errors: a missing object must still become a JSON 404.
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error, request);
    return sendError(reply, status, body);
  });
  app.get('/file', (_request, reply) => attachments.send(reply, {
    storage_key: file.storageKey, filename: file.filename, content_type: file.contentType, size_bytes: file.sizeBytes,
  }));
  try {
    return await app.inject({ method: 'GET', url: '/file' });
  } finally {
    await app.close();
  }
}

async function emptyBucket(): Promise<void> {
  const s3 = store();
  for (const key of await objectKeys()) await s3.remove(key);
}

describe('S3AttachmentStore', () => {
  it('streams a file into the bucket under a <yyyy-mm>/<uuid> key, with its size and sha256', async () => {
    const bytes = Buffer.from('printer on fire\n'.repeat(1000));
    const saved = await store().save({ filename: '../../etc/report.txt', stream: chunked(bytes, 1000) });

    expect(saved).toEqual({
      filename: 'report.txt', contentType: 'text/plain', sizeBytes: bytes.length, sha256: sha256(bytes),
      storageKey: expect.stringMatching(/^\d{4}-\d{2}\/[0-9a-f-]{36}$/),
    });
    expect(await objectKeys()).toContain(saved.storageKey);
    expect(sha256(await objectBytes(saved.storageKey))).toBe(saved.sha256);
    await emptyBucket();
  });

  it('uploads a file larger than one part in several parts', async () => {
    const bytes = randomBytes(5.5 * MB);
    sent.length = 0;
    const saved = await store(6 * MB).save({ filename: 'capture.zip', stream: chunked(bytes) });

    expect(sent).toContain('CompleteMultipartUploadCommand');
    expect(saved.sizeBytes).toBe(bytes.length);
    expect(sha256(await objectBytes(saved.storageKey))).toBe(sha256(bytes));
    await emptyBucket();
  });

  it('puts objects under the key prefix, keeping the storage key the same shape', async () => {
    const s3 = store(MB, { keyPrefix: 'kefu/' });
    const saved = await s3.save({ filename: 'a.txt', stream: Readable.from([Buffer.from('a')]) });

    expect(saved.storageKey).toMatch(/^\d{4}-\d{2}\/[0-9a-f-]{36}$/);
    expect(await objectKeys()).toEqual([`kefu/${saved.storageKey}`]);
    expect((await download(s3, saved)).body).toBe('a');
    await s3.remove(saved.storageKey);
    expect(await objectKeys()).toEqual([]);
  });

  it('sends the object back as a download with the same safe headers as the disk store', async () => {
    const bytes = Buffer.from('%PDF-1.4 not really\n');
    const s3 = store();
    const saved = await s3.save({ filename: 'Rechnung März.pdf', stream: Readable.from([bytes]) });
    const root = await mkdtemp(path.join(tmpdir(), 'kefu-disk-'));
    const disk = new DiskAttachmentStore(root, MB);
    const onDisk = await disk.save({ filename: 'Rechnung März.pdf', stream: Readable.from([bytes]) });

    const fromS3 = await download(s3, saved);
    const fromDisk = await download(disk, onDisk);

    expect(fromS3.statusCode).toBe(200);
    expect(fromS3.rawPayload.equals(bytes)).toBe(true);
    expect(fromS3.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': String(bytes.length),
      'content-disposition': "attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf",
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    const { date: _s3Date, ...s3Headers } = fromS3.headers;
    const { date: _diskDate, ...diskHeaders } = fromDisk.headers;
    expect(s3Headers).toEqual(diskHeaders);
    await rm(root, { recursive: true, force: true });
    await emptyBucket();
  });

  it('refuses a forbidden type before anything reaches the bucket', async () => {
    sent.length = 0;
    const source = Readable.from([Buffer.from('MZ...')]);
    const failure = await store().save({ filename: 'setup.exe', stream: source }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'ATTACHMENT_TYPE_FORBIDDEN', status: 415 });
    expect(sent).toEqual([]);
    expect(await objectKeys()).toEqual([]);
  });

  it('refuses a file over the limit while it streams, leaving the bucket empty', async () => {
    const failure = await store(1024 * 1024).save({ filename: 'big.log', stream: chunked(randomBytes(MB + 1)) }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE', status: 413 });
    expect(await objectKeys()).toEqual([]);
  });

  it('refuses a file over the limit after parts were uploaded, and aborts the multipart upload', async () => {
    sent.length = 0;
    let read = 0;
    const source = chunked(randomBytes(8 * MB)).on('data', (chunk: Buffer) => { read += chunk.length; });
    const failure = await store(6 * MB).save({ filename: 'dump.zip', stream: source }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE', status: 413 });
    expect(sent).toContain('UploadPartCommand');
    // s3rver answers AbortMultipartUpload with 405 Method Not Allowed; S3, MinIO and Ceph drop the parts.
    expect(sent).toContain('AbortMultipartUploadCommand');
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    expect(await objectKeys()).toEqual([]);
    expect(read).toBeLessThan(8 * MB); // stopped reading soon after the limit, not at the end
  });

  it('counts a stream cut off at the multipart limit as too large, not as a whole file', async () => {
    const source = Readable.from([Buffer.from('first part only')]) as Readable & { truncated?: boolean };
    source.truncated = true;
    const failure = await store().save({ filename: 'cut.txt', stream: source }).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'ATTACHMENT_TOO_LARGE', status: 413 });
    expect(await objectKeys()).toEqual([]);
  });

  it('removes an object; a missing one is then a 404 to download and a no-op to remove', async () => {
    const s3 = store();
    const saved = await s3.save({ filename: 'gone.txt', stream: Readable.from([Buffer.from('bye')]) });

    await s3.remove(saved.storageKey);

    expect(await objectKeys()).toEqual([]);
    const response = await download(s3, saved);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'ATTACHMENT_NOT_FOUND' } });
    await expect(s3.remove(saved.storageKey)).resolves.toBeUndefined();
  });

  it('refuses storage keys that are not its own', async () => {
    await expect(store().remove('../other-bucket/x')).rejects.toMatchObject({ code: 'ATTACHMENT_NOT_FOUND' });
  });
});

describe('S3 settings', () => {
  const s3Env = { KEFU_S3_ENDPOINT: 'http://minio:9000', KEFU_S3_BUCKET: 'kefu', KEFU_S3_ACCESS_KEY_ID: 'id', KEFU_S3_SECRET_ACCESS_KEY: 'shh-secret-value' };

  it('turns S3 on with the bucket, defaulting region and path style', () => {
    expect(loadConfig(s3Env).s3).toEqual({
      endpoint: 'http://minio:9000', bucket: 'kefu', region: 'us-east-1', accessKeyId: 'id', secretAccessKey: 'shh-secret-value', forcePathStyle: true, keyPrefix: undefined,
    });
    expect(loadConfig({ ...s3Env, KEFU_S3_FORCE_PATH_STYLE: 'false', KEFU_S3_REGION: 'eu-central-1' }).s3).toMatchObject({ forcePathStyle: false, region: 'eu-central-1' });
    expect(loadConfig({}).s3).toBeUndefined();
  });

  it('names the missing credentials when the bucket is set without them, with the other problems', () => {
    let failure: unknown;
    try {
      loadConfig({ KEFU_S3_BUCKET: 'kefu', PORT: 'nope' });
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'CONFIG_INVALID' });
    const { message, details } = failure as AppError;
    expect(message).toContain('KEFU_S3_ACCESS_KEY_ID');
    expect(message).toContain('KEFU_S3_SECRET_ACCESS_KEY');
    expect(details).toHaveLength(3); // PORT too
  });

  it('refuses S3 settings without a bucket, rather than quietly using the disk', () => {
    expect(() => loadConfig({ KEFU_S3_ENDPOINT: 'http://minio:9000' })).toThrow(/KEFU_S3_BUCKET: required when KEFU_S3_ENDPOINT is set/);
  });

  it('never logs the secret access key', () => {
    let output = '';
    const logger = createLogger('info', new Writable({ write(chunk: Buffer, _encoding, done) { output += chunk.toString(); done(); } }));
    logger.info({ s3: loadConfig(s3Env).s3 }, 'storage');
    expect(output).toContain('"bucket":"kefu"');
    expect(output).not.toContain('shh-secret-value');
  });
});
