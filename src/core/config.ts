import { isIP } from 'node:net';
import { z } from 'zod';
import { AppError } from './errors.js';
import type { PrivateTargetsSetting } from './net/outbound-targets.js';

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = (protocols: string[]) =>
  z.string().url().refine((value) => protocols.some((p) => value.startsWith(`${p}:`)), {
    message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
  }).optional();

/**
 * A Postgres URL. Besides host[:port], libpq and node-postgres take a Unix socket directory as
 * `?host=/dir` with no host in the authority (`postgresql://user@/db?host=%2Fvar%2Frun%2Fpostgresql`),
 * which WHATWG URL parsing refuses; such a URL is checked with a placeholder host.
 */
const databaseUrl = z.string().refine((value) => {
  if (!/^postgres(ql)?:\/\//.test(value)) return false;
  const socket = /^(postgres(?:ql)?:\/\/[^/?#]*@)(\/[^?#]*)?\?(.*&)?host=%2F/i.exec(value) ?? /^(postgres(?:ql)?:\/\/)(\/[^?#]*)?\?(.*&)?host=%2F/i.exec(value);
  return URL.canParse(socket ? value.replace(socket[1]!, `${socket[1]}localhost`) : value);
}, { message: 'must be a URL starting with postgres:// or postgresql:// (a socket directory goes in ?host=)' }).optional();

/** Every setting, declared once: env var, type, default. Nothing reads process.env outside this file. */
const ConfigSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  KEFU_DATA_DIR: z.string().min(1).default('./data'),
  KEFU_PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: databaseUrl,
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
  KEFU_LOGIN_ATTEMPTS_PER_IP_PER_15_MIN: z.coerce.number().int().min(1).max(100_000).default(100),
  KEFU_PUBLIC_POSTS_PER_15_MIN: z.coerce.number().int().min(1).max(10_000).default(10),
  KEFU_AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
  KEFU_PRIVATE_TARGETS: z.string().trim().default('').transform((value, ctx) => {
    const setting = privateTargetsSetting(value);
    if (setting === undefined) ctx.addIssue({ code: 'custom', message: 'must be empty, `all`, or a comma-separated list of addresses or CIDR ranges (e.g. 10.0.4.20,192.168.8.0/24)' });
    return setting ?? [];
  }),
  /** Before KEFU_PRIVATE_TARGETS: `true` still means `all`. */
  KEFU_WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  KEFU_WEBHOOKS_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  KEFU_TRUST_PROXY: z.string().trim().default('false').transform((value, ctx) => {
    const setting = trustProxySetting(value);
    if (setting === undefined) ctx.addIssue({ code: 'custom', message: 'must be false, the number of proxies in front of Kefu (1–10), or a comma-separated list of their addresses or CIDR ranges; `true` would trust any client-sent X-Forwarded-For' });
    return setting ?? false;
  }),
  KEFU_SEED_DEMO: z.enum(['auto', 'never']).default('auto'),
  KEFU_KB_DIGEST_DELAY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(900),
  KEFU_SEGMENT_PREVIEW_EXACT_UP_TO: z.coerce.number().int().min(100).max(100_000_000).default(100_000),
  KEFU_SMTP_LISTEN_PORT: port.default(2525),
  KEFU_SMTP_LISTEN_HOST: z.string().min(1).default('0.0.0.0'),
  KEFU_SMTP_TLS_CERT: z.string().min(1).optional(),
  KEFU_SMTP_TLS_KEY: z.string().min(1).optional(),
  KEFU_MAIL_MAX_BYTES: z.coerce.number().int().min(1024).max(200 * 1024 * 1024).default(25 * 1024 * 1024),
  KEFU_MAIL_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (32 bytes)').optional(),
  KEFU_SMTP_MESSAGES_PER_SENDER_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(30),
  KEFU_SMTP_MESSAGES_PER_IP_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(300),
  KEFU_MAIL_AUTHSERV_ID: z.string().trim().regex(/^[A-Za-z0-9.-]{1,253}$/, 'must be the host name your receiving MTA writes in Authentication-Results').optional(),
  KEFU_IMAP_POLL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  KEFU_SMTP_URL: optionalUrl(['smtp', 'smtps']),
  KEFU_MAIL_FROM: z.string().trim().max(320).regex(/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'must be an address or "Name <address>"').optional(),
  KEFU_DKIM_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'must be a domain name').optional(),
  KEFU_DKIM_SELECTOR: z.string().regex(/^[A-Za-z0-9._-]{1,63}$/, 'must be a DNS label').optional(),
  KEFU_DKIM_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  KEFU_MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
  KEFU_MAIL_RETRY_DELAY_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
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
  /** Sign-in attempts per client address and account… */
  loginAttemptsPer15Min: number;
  /** …and per client address over all accounts, so one address cannot try many accounts. */
  loginAttemptsPerIpPer15Min: number;
  /** Anonymous portal posts (contact form, article votes) per client address. */
  publicPostsPer15Min: number;
  /**
   * How long a node keeps a resolved API token or session (0: never). Changes on the same node and
   * those its bus hears from others apply at once; this bounds a missed one.
   */
  authCacheSeconds: number;
  seedDemo: 'auto' | 'never';
  /** Help-centre subscribers' changes are collected this long into one e-mail digest (0: at once). */
  kbDigestDelaySeconds: number;
  /**
   * The segment editor's live count is exact for a workspace of up to this many customers (the
   * planner's estimate), estimated from a sample of a fifth as many rows above it. Default 100,000:
   * an exact count grows with the workspace (1.6–3.4 s at 1M, customers README), so about a tenth
   * of that keeps the editor live.
   */
  segmentPreviewExactUpTo: number;
  /** Inbound mail (role `mail`): the SMTP listener, its limits, and the key for IMAP passwords. */
  mail: MailInboundConfig;
  /** Outbound mail: the SMTP server to send through (none: mail is held in the outbox), sender, DKIM, retries. */
  mailOutbound: MailOutboundConfig;
  /**
   * Behind a reverse proxy: the client address (rate limits, audit log) is read from X-Forwarded-For,
   * skipping this many proxies from the right, or the entries added by these proxy addresses. Never
   * `true`: the left-most entry is whatever the client wrote.
   */
  trustProxy: TrustProxy;
  /**
   * Private, loopback and reserved addresses that targets typed in by workspace admins (webhooks,
   * chat channel URLs, IMAP hosts) may reach anyway: `all` (tests, closed networks) or these
   * addresses and ranges (an IMAP server on the office network). None by default (SSRF).
   */
  privateTargets: PrivateTargetsSetting;
  /** The wait before a webhook delivery's second attempt, doubled for each one after. */
  webhooksRetryDelaySeconds: number;
  logLevel: RawConfig['LOG_LEVEL'];
  env: RawConfig['NODE_ENV'];
}

export type TrustProxy = false | number | string[];

/** `false`, a hop count, or proxy addresses/CIDR ranges; undefined when none of these. */
function trustProxySetting(value: string): TrustProxy | undefined {
  if (value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) return Number(value) >= 1 && Number(value) <= 10 ? Number(value) : undefined;
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const valid = entries.length > 0 && entries.every(isAddressOrRange);
  return valid ? entries : undefined;
}

function privateTargetsSetting(value: string): PrivateTargetsSetting | undefined {
  if (value === 'all') return 'all';
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  return entries.every(isAddressOrRange) ? entries : undefined;
}

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export interface MailInboundConfig {
  smtpPort: number;
  smtpHost: string;
  /** PEM files; STARTTLS is offered only when both are set. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Largest message accepted (advertised as SIZE; 552 above it). */
  maxBytes: number;
  /** 32-byte key (hex) that encrypts IMAP passwords; derived from the app secret when unset. Never logged. */
  key?: string;
  perSenderPerMinute: number;
  perIpPerMinute: number;
  imapPollSeconds: number;
  /**
   * The receiving MTA's authserv-id (RFC 8601): its Authentication-Results decide whether a reply's
   * From can be believed before it joins an existing ticket. Unset: envelope alignment only.
   */
  authservId?: string;
}

export interface MailOutboundConfig {
  /** From KEFU_SMTP_URL (`smtp://user:pass@host:587` STARTTLS when offered, `smtps://…:465` TLS). */
  smtp?: { host: string; port: number; secure: boolean; user?: string; password?: string };
  /** Sender when the workspace has no support address (else `no-reply@<public host>`). */
  from?: string;
  /** All three or none; the key is read from the file when the transport is made. */
  dkim?: { domainName: string; keySelector: string; privateKeyFile: string };
  /** Attempts in all per mail, the first included, and the base of the exponential back-off. */
  maxAttempts: number;
  retryDelayMs: number;
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

const DKIM_SETTINGS = ['KEFU_DKIM_DOMAIN', 'KEFU_DKIM_SELECTOR', 'KEFU_DKIM_PRIVATE_KEY_FILE'] as const;

/** Settings that only make sense together; checked on the raw values, so they are listed along with the schema's problems. */
function crossProblems(env: Record<string, string | undefined>): string[] {
  return [...s3Problems(env), ...dkimProblems(env)];
}

/** Half a DKIM setting would send unsigned mail while the admin believes it is signed. */
function dkimProblems(env: Record<string, string | undefined>): string[] {
  const missing = DKIM_SETTINGS.filter((name) => env[name] === undefined);
  return missing.length === DKIM_SETTINGS.length ? [] : missing.map((name) => `${name}: required when any KEFU_DKIM_* setting is set`);
}

function s3Problems(env: Record<string, string | undefined>): string[] {
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
/** The environment of a Kefu child process: this process's, with the given settings replaced. */
export function childProcessEnv(settings: Partial<Record<keyof z.input<typeof ConfigSchema>, string>>): NodeJS.ProcessEnv {
  return { ...process.env, ...settings };
}

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
    loginAttemptsPerIpPer15Min: c.KEFU_LOGIN_ATTEMPTS_PER_IP_PER_15_MIN,
    publicPostsPer15Min: c.KEFU_PUBLIC_POSTS_PER_15_MIN,
    authCacheSeconds: c.KEFU_AUTH_CACHE_SECONDS,
    seedDemo: c.KEFU_SEED_DEMO,
    kbDigestDelaySeconds: c.KEFU_KB_DIGEST_DELAY_SECONDS,
    segmentPreviewExactUpTo: c.KEFU_SEGMENT_PREVIEW_EXACT_UP_TO,
    mail: {
      smtpPort: c.KEFU_SMTP_LISTEN_PORT,
      smtpHost: c.KEFU_SMTP_LISTEN_HOST,
      tlsCertFile: c.KEFU_SMTP_TLS_CERT,
      tlsKeyFile: c.KEFU_SMTP_TLS_KEY,
      maxBytes: c.KEFU_MAIL_MAX_BYTES,
      key: c.KEFU_MAIL_KEY,
      perSenderPerMinute: c.KEFU_SMTP_MESSAGES_PER_SENDER_PER_MIN,
      perIpPerMinute: c.KEFU_SMTP_MESSAGES_PER_IP_PER_MIN,
      imapPollSeconds: c.KEFU_IMAP_POLL_SECONDS,
      authservId: c.KEFU_MAIL_AUTHSERV_ID,
    },
    mailOutbound: {
      smtp: c.KEFU_SMTP_URL ? smtpSettings(c.KEFU_SMTP_URL) : undefined,
      from: c.KEFU_MAIL_FROM,
      dkim: c.KEFU_DKIM_DOMAIN && c.KEFU_DKIM_SELECTOR && c.KEFU_DKIM_PRIVATE_KEY_FILE
        ? { domainName: c.KEFU_DKIM_DOMAIN, keySelector: c.KEFU_DKIM_SELECTOR, privateKeyFile: c.KEFU_DKIM_PRIVATE_KEY_FILE }
        : undefined,
      maxAttempts: c.KEFU_MAIL_MAX_ATTEMPTS,
      retryDelayMs: c.KEFU_MAIL_RETRY_DELAY_MS,
    },
    trustProxy: c.KEFU_TRUST_PROXY,
    privateTargets: c.KEFU_WEBHOOKS_ALLOW_PRIVATE === 'true' ? 'all' : c.KEFU_PRIVATE_TARGETS,
    webhooksRetryDelaySeconds: c.KEFU_WEBHOOKS_RETRY_DELAY_SECONDS,
    logLevel: c.LOG_LEVEL,
    env: c.NODE_ENV,
  };
}

/** `smtps:` is TLS from the first byte (default port 465); `smtp:` upgrades with STARTTLS when offered (default 587). */
function smtpSettings(url: string): NonNullable<MailOutboundConfig['smtp']> {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}
