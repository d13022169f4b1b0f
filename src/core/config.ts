import { z } from 'zod';
import { AppError } from './errors.js';

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = (protocols: string[]) =>
  z.string().url().refine((value) => protocols.some((p) => value.startsWith(`${p}:`)), {
    message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
  }).optional();

/** Every setting, declared once: env var, type, default. Nothing reads process.env outside this file. */
const ConfigSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  KEFU_DATA_DIR: z.string().min(1).default('./data'),
  KEFU_PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  KEFU_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  KEFU_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  KEFU_ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
  KEFU_S3_ENDPOINT: optionalUrl(['http', 'https']),
  KEFU_S3_BUCKET: z.string().min(3).max(63).optional(),
  KEFU_S3_REGION: z.string().min(1).default('us-east-1'),
  KEFU_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  KEFU_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  KEFU_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true'),
  KEFU_S3_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9!_.*'()/-]*$/, 'may hold only letters, digits and !_.*\'()/-').optional(),
  KEFU_LOGIN_ATTEMPTS_PER_15_MIN: z.coerce.number().int().min(1).max(10_000).default(10),
  KEFU_WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  KEFU_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  KEFU_SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
});

export type RawConfig = z.infer<typeof ConfigSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  databaseUrl?: string;
  databasePoolMax: number;
  redisUrl?: string;
  /** Signs cookies. When unset, a random one is generated once and kept in the data dir. */
  secret?: string;
  bodyLimitBytes: number;
  attachmentMaxBytes: number;
  /** Attachments go to this S3-compatible bucket when set, to the data dir otherwise. */
  s3?: S3Config;
  loginAttemptsPer15Min: number;
  seedDemo: 'auto' | 'never';
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (rate limits, audit log). */
  trustProxy: boolean;
  /** Let webhooks call loopback and private-network addresses (an SSRF risk; for tests and closed networks). */
  webhooksAllowPrivate: boolean;
  logLevel: RawConfig['LOG_LEVEL'];
  env: RawConfig['NODE_ENV'];
}

export interface S3Config {
  /** Unset for AWS itself; the address of MinIO, Ceph, R2 … otherwise. */
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  /** Never logged: the logger redacts `secretAccessKey` wherever it appears. */
  secretAccessKey: string;
  /** `https://host/bucket/key` rather than `https://bucket.host/key`: what most self-hosted servers expect. */
  forcePathStyle: boolean;
  /** Put before every object key, so Kefu can share a bucket; storage keys in the database leave it out. */
  keyPrefix?: string;
}

const S3_SETTINGS = ['KEFU_S3_ENDPOINT', 'KEFU_S3_REGION', 'KEFU_S3_ACCESS_KEY_ID', 'KEFU_S3_SECRET_ACCESS_KEY', 'KEFU_S3_FORCE_PATH_STYLE', 'KEFU_S3_KEY_PREFIX'] as const;

/** Settings that only make sense together; checked on the raw values, so they are listed along with the schema's problems. */
function crossProblems(env: Record<string, string | undefined>): string[] {
  if (!env.KEFU_S3_BUCKET) {
    const stray = S3_SETTINGS.filter((name) => env[name] !== undefined);
    // Without the bucket, attachments would go quietly to local disk: wrong on several nodes.
    return stray.length ? [`KEFU_S3_BUCKET: required when ${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set`] : [];
  }
  return (['KEFU_S3_ACCESS_KEY_ID', 'KEFU_S3_SECRET_ACCESS_KEY'] as const)
    .filter((name) => env[name] === undefined)
    .map((name) => `${name}: required when KEFU_S3_BUCKET is set`);
}

/** Reads the environment once and reports every bad value together, by name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)),
    ...crossProblems(present),
  ];
  if (!parsed.success || problems.length) {
    throw new AppError('CONFIG_INVALID', 500, `Invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  }
  const c = parsed.data;
  const s3: S3Config | undefined = c.KEFU_S3_BUCKET && c.KEFU_S3_ACCESS_KEY_ID && c.KEFU_S3_SECRET_ACCESS_KEY
    ? {
        endpoint: c.KEFU_S3_ENDPOINT,
        bucket: c.KEFU_S3_BUCKET,
        region: c.KEFU_S3_REGION,
        accessKeyId: c.KEFU_S3_ACCESS_KEY_ID,
        secretAccessKey: c.KEFU_S3_SECRET_ACCESS_KEY,
        forcePathStyle: c.KEFU_S3_FORCE_PATH_STYLE === 'true',
        keyPrefix: c.KEFU_S3_KEY_PREFIX,
      }
    : undefined;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: c.KEFU_DATA_DIR,
    publicUrl: (c.KEFU_PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    databaseUrl: c.DATABASE_URL,
    databasePoolMax: c.DATABASE_POOL_MAX,
    redisUrl: c.REDIS_URL,
    secret: c.KEFU_SECRET,
    bodyLimitBytes: c.KEFU_BODY_LIMIT_BYTES,
    attachmentMaxBytes: c.KEFU_ATTACHMENT_MAX_BYTES,
    s3,
    loginAttemptsPer15Min: c.KEFU_LOGIN_ATTEMPTS_PER_15_MIN,
    seedDemo: c.KEFU_SEED_DEMO,
    trustProxy: c.KEFU_TRUST_PROXY === 'true',
    webhooksAllowPrivate: c.KEFU_WEBHOOKS_ALLOW_PRIVATE === 'true',
    logLevel: c.LOG_LEVEL,
    env: c.NODE_ENV,
  };
}
