/**
 * Mutation checks: the tests that carry the product's biggest promises must notice when the code
 * that keeps them is broken. Each mutation below is applied to a copy of the working tree (the
 * tree itself is never touched), the test files that guard it run there, and at least one of their
 * tests must FAIL. One database server serves every run: DATABASE_URL if set, else an embedded
 * server this script starts. CI runs it (.ci/run); by hand: `node --import tsx scripts/mutation-check.ts`.
 *
 * A mutation whose anchor text is not found exactly once in src/ fails the script: when the code
 * moves, the mutation must move with it rather than silently test nothing.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedServer, type EmbeddedServer } from '../src/core/db/embedded-server.js';

interface Mutation {
  name: string;
  /** Text of the source as it is; must occur exactly once under src/ (tests excluded). */
  find: string;
  replace: string;
  tests: string[];
}

const MUTATIONS: Mutation[] = [
  {
    name: 'the by-number ticket lookup forgets the workspace',
    find: 'this.repo.ticketByNumber(this.repo.in(workspaceId), number)',
    replace: 'this.repo.ticketByNumber(this.repo.db, number)',
    tests: ['test/tenancy/cross-workspace.test.ts'],
  },
  {
    name: 'bulk ticket changes honour another workspace\'s ids in the body',
    find: 'await this.update(workspaceId, id, changes, actor);',
    replace: "await this.update((await this.repo.db.selectFrom('tickets').select('workspace_id').where('id', '=', id).executeTakeFirst())?.workspace_id ?? workspaceId, id, changes, actor);",
    tests: ['test/tenancy/cross-workspace.test.ts'],
  },
  {
    name: 'the IMAP poller keeps the old last UID after a UIDVALIDITY change',
    find: 'lastUid = 0;\n        await this.repo.updateMailbox(workspaceId, mailbox.id, { uid_validity: validity, last_uid: 0 });',
    replace: 'await this.repo.updateMailbox(workspaceId, mailbox.id, { uid_validity: validity });',
    tests: ['test/mail/imap-poller.test.ts'],
  },
];

// A CI script, not the app: it hands the run's own environment (DATABASE_URL, REDIS_URL …) on to vitest.
// eslint-disable-next-line no-restricted-syntax
const inherited = process.env;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__tests__' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The one file under src/ holding `find`, relative to the tree. */
function anchorFile(tree: string, mutation: Mutation): string {
  const hits = sourceFiles(path.join(tree, 'src')).flatMap((file) => {
    const count = readFileSync(file, 'utf8').split(mutation.find).length - 1;
    return Array.from({ length: count }, () => path.relative(tree, file));
  });
  if (hits.length !== 1) throw new Error(`mutation "${mutation.name}": its text occurs ${hits.length} times under src/ (${hits.join(', ')}); update scripts/mutation-check.ts`);
  return hits[0]!;
}

/** Tracked and new (not ignored) files, copied; node_modules shared by a link. */
function copyTree(): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'kefu-mutation-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    try {
      copyFileSync(path.join(root, file), path.join(copy, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted but not yet committed
    }
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}

interface VitestReport { numFailedTests: number; numPassedTests: number; testResults: { assertionResults: { fullName: string; status: string }[] }[] }

function runTests(tree: string, tests: string[], databaseUrl: string): VitestReport {
  const out = path.join(tree, 'mutation-report.json');
  rmSync(out, { force: true });
  spawnSync(process.execPath, [path.join(tree, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${out}`, ...tests], {
    cwd: tree, env: { ...inherited, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    return JSON.parse(readFileSync(out, 'utf8')) as VitestReport;
  } catch {
    throw new Error(`vitest wrote no report for ${tests.join(' ')}`);
  }
}

async function main(): Promise<number> {
  let embedded: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let databaseUrl = inherited.DATABASE_URL;
  if (!databaseUrl) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-mutation-db-'));
    embedded = await startEmbeddedServer({ dataDir });
    databaseUrl = embedded.connectionString('postgres');
  }
  const tree = copyTree();
  let survived = 0;
  try {
    for (const mutation of MUTATIONS) {
      const file = path.join(tree, anchorFile(tree, mutation));
      const original = readFileSync(file, 'utf8');
      writeFileSync(file, original.replace(mutation.find, mutation.replace));
      try {
        const report = runTests(tree, mutation.tests, databaseUrl);
        const failed = report.testResults.flatMap((r) => r.assertionResults).filter((a) => a.status === 'failed').map((a) => a.fullName);
        if (failed.length) {
          console.log(`killed   ${mutation.name}: ${failed.length} failing test(s): ${failed.join('; ')}`);
        } else {
          survived++;
          console.log(`SURVIVED ${mutation.name}: ${report.numPassedTests} test(s) of ${mutation.tests.join(', ')} still pass`);
        }
      } finally {
        writeFileSync(file, original);
      }
    }
  } finally {
    rmSync(tree, { recursive: true, force: true });
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`mutation check: ${MUTATIONS.length - survived} of ${MUTATIONS.length} mutations killed`);
  return survived ? 1 : 0;
}

process.exitCode = await main();
