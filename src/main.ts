import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { buildApp } from './app.js';
import { childProcessEnv, loadConfig, type Config } from './core/config.js';
import { AppError } from './core/errors.js';
import { createLogger, type Logger } from './core/logger.js';
import { backupDatabase, restoreDatabase } from './core/db/backup.js';
import { parseHostname, SYSTEM_ACTOR } from './modules/accounts/index.js';
import { seedDemo, type DemoCredentials } from './modules/demo/index.js';
import { loadSecret, openDataLayer, openMessaging, type DataLayer } from './runtime.js';
import { createServices, platformModules, registerWorkers, startModulesRecurring, type Services } from './services.js';
import { systemClock } from './core/clock.js';
import { createInProcessBus, createOutboxBus } from './core/events/index.js';
import { createDatabaseQueue, type DatabaseJobQueue } from './core/jobs/index.js';
import { attachRealtime } from './transport/ws/realtime.js';
import { attachChat } from './transport/ws/chat.socket.js';
import { startMailIntake } from './modules/mail/index.js';

const USAGE = `kefu: the Kefu customer-service platform

  kefu start [--role web|worker|mail|all]   run the server (default role: all)
  kefu migrate                              apply pending database migrations
  kefu seed --demo                          create the demo workspace "云墨打印 / Yunmo Printers"
  kefu admin create --email E --name N [--workspace SLUG] [--workspace-name NAME] [--password P]
                    [--hostname HOST]...    add an admin (creating the workspace if needed); the
                                            portal and console answer for the workspace on HOST
  kefu events [--limit N]                   the newest domain events and each subscriber's lag
  kefu backup --out FILE                    write a consistent backup of the whole database
  kefu restore --in FILE --yes              replace the database's contents with a backup

Settings come from environment variables (PORT, KEFU_DATA_DIR, DATABASE_URL, REDIS_URL, …); see README.md.`;

const ROLES = ['all', 'web', 'worker', 'mail'] as const;
type Role = (typeof ROLES)[number];

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string', default: 'all' },
      demo: { type: 'boolean', default: false },
      email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' },
      workspace: { type: 'string', default: 'main' }, 'workspace-name': { type: 'string' }, hostname: { type: 'string', multiple: true },
      out: { type: 'string' }, limit: { type: 'string' }, in: { type: 'string' }, yes: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, subcommand] = positionals;
  if (values.help || !command) return void console.log(USAGE);
  const config = loadConfig();
  const log = createLogger(config.logLevel);

  switch (command) {
    case 'start': {
      if (!ROLES.includes(values.role as Role)) throw usage(`--role must be one of ${ROLES.join(', ')}`);
      return start(config, log, values.role as Role);
    }
    case 'migrate':
      return withDataLayer(config, log, async () => console.log('Database is up to date.'));
    case 'seed':
      if (!values.demo) throw usage('seed needs --demo');
      return withServices(config, log, async (services, _data, jobs) => {
        const demo = await seedAndRemember(services, config);
        await finishQueuedWork(services, jobs, log);
        printDemo(config, demo);
      });
    case 'admin': {
      if (subcommand !== 'create' || !values.email || !values.name) throw usage('admin create needs --email and --name');
      // Checked before anything is created: a bad host name leaves no half-made workspace.
      const hostnames = (values.hostname ?? []).map((hostname) => {
        try {
          return parseHostname(hostname);
        } catch (error) {
          throw usage(`--hostname "${hostname}": ${(error as Error).message}`);
        }
      });
      return withServices(config, log, (services, data) => createAdmin(services, data, {
        email: values.email!, name: values.name!, password: values.password,
        workspace: values.workspace!, workspaceName: values['workspace-name'], hostnames,
      }));
    }
    case 'events':
      return withDataLayer(config, log, async (data) => {
        const bus = createOutboxBus({ db: data.database.db, pool: data.database.pool, connectionString: data.database.url, log });
        const limit = Number(values.limit ?? 20);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usage('--limit must be a whole number from 1 to 1000');
        for (const e of (await bus.tail(limit)).reverse()) console.log(`${e.seq}\t${e.occurredAt.toISOString()}\t${e.type}\t${e.workspaceId}\t${e.stream ?? ''}\t${e.id}`);
        console.log('\nsubscriber\tlag\thandled\tfailed\tactive\tupdated');
        for (const s of await bus.subscribers()) console.log(`${s.subscriber}\t${s.lag}\t${s.handled}\t${s.failed}\t${s.active ? 'yes' : 'no'}\t${s.updatedAt.toISOString()}`);
      });
    case 'backup':
      if (!values.out) throw usage('backup needs --out FILE');
      return withDataLayer(config, log, async (data) => {
        const summary = await backupDatabase(data.database.pool, createWriteStream(values.out!, { mode: 0o600 }), { onProgress: progress });
        console.log(`Backup written to ${values.out}: ${summary.tables} tables, ${summary.rows} rows (schema ${summary.schemaVersion}).`);
      });
    case 'restore':
      if (!values.in) throw usage('restore needs --in FILE');
      if (!values.yes) throw usage('restore replaces everything in the database with the backup; add --yes to confirm');
      return withDataLayer(config, log, async (data) => {
        const summary = await restoreDatabase(data.database.pool, createReadStream(values.in!), { onProgress: progress });
        console.log(`Restored ${summary.tables} tables, ${summary.rows} rows from ${values.in}.`);
      });
    default:
      throw usage(`unknown command "${command}"`);
  }
}

function usage(problem: string): AppError {
  return new AppError('USAGE', 2, `${problem}\n\n${USAGE}`);
}

function progress(table: string, rows: number): void {
  process.stderr.write(`  ${table}: ${rows} rows\n`);
}

async function withDataLayer(config: Config, log: Logger, work: (data: DataLayer) => Promise<void>): Promise<void> {
  const data = await openDataLayer(config, log);
  try {
    await work(data);
  } finally {
    await data.close();
  }
}

/** For one-off commands: the data layer and services, with jobs they send kept in the database for the workers. */
async function withServices(config: Config, log: Logger, work: (services: Services, data: DataLayer, jobs: DatabaseJobQueue) => Promise<void>): Promise<void> {
  await withDataLayer(config, log, async (data) => {
    const jobs = createDatabaseQueue({ connectionString: data.database.url, log });
    await jobs.start();
    try {
      await work(createServices({ config, ...data, bus: createInProcessBus(log), jobs, clock: systemClock }), data, jobs);
    } finally {
      await jobs.stop({ graceful: true });
    }
  });
}

/**
 * Runs the jobs the seed queued that are due now (the demo mail's acknowledgements and suggested
 * answers, the first trainings) before the command exits, so the demo is whole without a server,
 * and a first start's server does not load the Chinese word dictionary and pinyin tables (some
 * 60 MB it keeps) only to answer the seed's mail. Jobs due later stay for the server's workers.
 */
async function finishQueuedWork(services: Services, jobs: DatabaseJobQueue, log: Logger): Promise<void> {
  await registerWorkers(services, jobs);
  await jobs.drain().catch((error: unknown) => {
    if (!(error instanceof AppError && error.code === 'JOB_QUEUE_DRAIN_TIMEOUT')) throw error;
    log.warn({ details: error.details }, 'seed: queued jobs still running; the server will finish them');
  });
}

async function seedAndRemember(services: Services, config: Config): Promise<DemoCredentials> {
  const credentials = await seedDemo(services, platformModules);
  // Kept so the demo can be signed into after the first start's output has scrolled away.
  const file = path.join(config.dataDir, 'demo-credentials.json');
  await writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return credentials;
}

function printDemo(config: Config, demo: DemoCredentials): void {
  console.log([
    '',
    'Demo workspace "云墨打印 / Yunmo Printers" is ready.',
    `  Agent console  ${config.publicUrl}/agent`,
    `    admin        ${demo.admin.email}  password: ${demo.admin.password}`,
    ...demo.agents.map((a) => `    agent        ${a.email}  password: ${a.password}`),
    `  Portal         ${config.publicUrl}/`,
    `    customer     ${demo.customer.email}  password: ${demo.customer.password}`,
    `  (also saved in ${path.join(config.dataDir, 'demo-credentials.json')})`,
    '',
  ].join('\n'));
}

/**
 * The first start seeds the demo by running `kefu seed --demo` against its embedded server, as a
 * child process: what seeding loads and leaves behind (the Chinese word dictionary, the heap V8 grew
 * while seeding and keeps) goes with that process instead of staying in the server for good.
 */
async function seedDemoInChildProcess(databaseUrl: string): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'seed', '--demo'], {
    env: childProcessEnv({ DATABASE_URL: databaseUrl }),
    stdio: 'inherit',
  });
  const [code, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new AppError('DEMO_SEED_FAILED', 500, `Seeding the demo failed (${signal ?? `exit code ${code}`}); its output is above`);
}

async function createAdmin({ accounts }: Services, data: DataLayer, input: { email: string; name: string; password?: string; workspace: string; workspaceName?: string; hostnames: string[] }) {
  const existing = await data.database.db.selectFrom('workspaces').select('id').where('slug', '=', input.workspace).executeTakeFirst();
  for (const hostname of input.hostnames) {
    const holder = await data.database.db.selectFrom('workspaces').select('slug').where(sql<boolean>`${hostname} = any(hostnames)`).where('slug', '<>', input.workspace).executeTakeFirst();
    if (holder) throw usage(`--hostname "${hostname}": workspace "${holder.slug}" already answers on it; nothing was created`);
  }
  const workspaceName = input.workspaceName ?? input.workspace;
  const workspaceId = existing?.id ?? (await accounts.createWorkspace({ slug: input.workspace, name: { en: workspaceName, 'zh-CN': workspaceName } })).id;
  const password = input.password ?? randomBytes(12).toString('base64url');
  const agent = await accounts.createAgent(workspaceId, { email: input.email, name: input.name, role: 'admin', password }, SYSTEM_ACTOR);
  for (const hostname of input.hostnames) await accounts.addHostname(workspaceId, hostname, SYSTEM_ACTOR);
  const where = input.hostnames.length ? ` It answers on ${input.hostnames.join(', ')}.` : '';
  console.log(`Admin ${agent.email} created in workspace "${input.workspace}".${where}${input.password ? '' : ` Password: ${password}`}`);
}

async function start(config: Config, log: Logger, role: Role): Promise<void> {
  const data = await openDataLayer(config, log);
  const messaging = await openMessaging(config, log, data.database);
  await messaging.jobs.start();
  const services = createServices({ config, ...data, bus: messaging.bus, jobs: messaging.jobs, clock: systemClock });
  const empty = !(await data.database.db.selectFrom('workspaces').select('id').limit(1).executeTakeFirst());
  if (empty && !config.databaseUrl && config.seedDemo === 'auto') await seedDemoInChildProcess(data.database.url);
  else if (empty) log.warn('No workspace exists yet: run `kefu seed --demo` or `kefu admin create`');

  if (role === 'all' || role === 'worker') await registerWorkers(services, messaging.jobs);
  // Inbound mail: the SMTP listener and the IMAP poller; their messages are processed by the workers.
  const mailIntake = role === 'all' || role === 'mail' ? await startMailIntake(services.mailInbound, config, log, { listenerRequired: role === 'mail' }) : undefined;
  if (mailIntake?.smtpPort) console.log(`Kefu is receiving mail: SMTP on ${config.mail.smtpHost}:${mailIntake.smtpPort}`);

  const app = role === 'all' || role === 'web'
    ? await buildApp({ config, log, database: data.database, services, secret: await loadSecret(config), redis: messaging.redis })
    : undefined;
  if (app) {
    // The console's live updates; closed by app.http.close() before it waits for connections.
    attachRealtime({ http: app.http, accounts: services.accounts, bus: messaging.bus, log, redis: messaging.redis, publicUrl: config.publicUrl });
    // Live chat: the widget's and the agents' sockets, and the sweeper acting on offer timeouts, ACW and overflow.
    attachChat({ http: app.http, accounts: services.accounts, chat: services.chat, log, redis: messaging.redis, publicUrl: config.publicUrl, trustProxy: config.trustProxy });
    // The modules' recurring work (the chat's deadlines: offer timeouts, ACW, overflow); stopped before the sockets close.
    const recurring = startModulesRecurring(services, log);
    app.http.addHook('preClose', () => recurring.stop());
  }
  // Events: every node pushes to its own browsers; worker nodes run the durable subscribers (once per cluster).
  await messaging.bus.start({ durable: role === 'all' || role === 'worker' });
  if (app) {
    await app.http.listen({ port: config.port, host: config.host });
    console.log(`Kefu is running: portal ${config.publicUrl}/  console ${config.publicUrl}/agent  API docs ${config.publicUrl}/docs`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing requests and jobs');
    const force = setTimeout(() => { log.error('shutdown took over 30 s; exiting'); process.exit(1); }, 30_000);
    force.unref();
    app?.markDraining();
    await app?.http.close();
    await mailIntake?.stop();
    await messaging.close();
    await data.close();
    log.info('stopped cleanly');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof AppError) {
    console.error(`kefu: ${error.message}`);
    process.exit(error.code === 'USAGE' ? 2 : 1);
  }
  console.error(error);
  process.exit(1);
});
