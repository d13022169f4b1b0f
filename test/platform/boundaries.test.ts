import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type IConfiguration, type IReporterOutput } from 'dependency-cruiser';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run lint` enforces the module boundaries with dependency-cruiser (.dependency-cruiser.cjs)
 * and ESLint (no repository exported from an index.ts). Here the same rules run over a small tree
 * in a scratch directory: each forbidden import is caught by its rule, the allowed ones pass.
 * (Specifiers are extensionless here: the scratch tree has no tsconfig to map `.js` to `.ts`.)
 */
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;
const repoRoot = path.resolve(import.meta.dirname, '../..');

const TREE: Record<string, string> = {
  'src/core/clock.ts': 'export const now = () => new Date();\n',
  'src/core/db.ts': 'export interface DB { t: { id: string } }\n',
  'src/services.ts': "import { AService } from './modules/a/index';\nexport const services = { a: new AService() };\n",
  'src/transport/http/context.ts': 'export const context = 1;\n',
  'src/modules/a/a.service.ts': "import { now } from '../../core/clock';\nexport class AService { at = now(); }\n",
  'src/modules/a/a.repo.ts': "import type { DB } from '../../core/db';\nexport class ARepo { db?: DB; }\n",
  'src/modules/a/index.ts': "export { AService } from './a.service';\n",
  // Allowed: another module through its index; the core's database type.
  'src/modules/b/b.service.ts': "import { AService } from '../a/index';\nimport type { DB } from '../../core/db';\nexport const b = (db?: DB) => new AService() && db;\n",
  'src/modules/b/index.ts': "export { b } from './b.service';\n",
  'src/contracts/wire.ts': 'export type Wire = { id: string };\n',
  'web/app.ts': "import type { Wire } from '../src/contracts/wire';\nexport const w: Wire = { id: '1' };\n",
};

const FORBIDDEN: { rule: string; file: string; source: string }[] = [
  { rule: 'core-imports-no-module', file: 'src/core/bad.ts', source: "import { AService } from '../modules/a/index';\nexport const x = AService;\n" },
  { rule: 'modules-meet-through-index', file: 'src/modules/c/c.service.ts', source: "import { AService } from '../a/a.service';\nexport const c = AService;\n" },
  { rule: 'only-the-entry-imports-transport', file: 'src/modules/d/d.pages.ts', source: "import { context } from '../../transport/http/context';\nexport const d = context;\n" },
  { rule: 'modules-import-no-wiring', file: 'src/modules/e/e.service.ts', source: "import type { services } from '../../services';\nexport type E = typeof services;\n" },
  { rule: 'web-imports-only-contracts', file: 'web/bad.ts', source: "import { AService } from '../src/modules/a/index';\nexport const w = AService;\n" },
  { rule: 'no-circular', file: 'src/modules/f/f.one.ts', source: "import { two } from './f.two';\nexport const one = () => two;\n" },
];

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'kefu-boundaries-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function violationsOf(extra: Record<string, string>): Promise<{ rule: string; from: string; to: string }[]> {
  const root = await mkdtemp(path.join(dir, 'tree-'));
  for (const [file, source] of Object.entries({ ...TREE, ...extra })) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), source);
  }
  const result: IReporterOutput = await cruise(['src', 'web'], {
    validate: true, ruleSet: { forbidden: config.forbidden }, baseDir: root, tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' }, exclude: { path: 'node_modules' },
  }, { extensions: ['.ts', '.js'] });
  if (typeof result.output === 'string') throw new Error('expected a JSON result');
  return result.output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

describe('module boundaries (dependency-cruiser, the rules npm run lint uses)', () => {
  it('pass a tree whose modules meet only through index.ts', async () => {
    expect(await violationsOf({})).toEqual([]);
  });

  it.each(FORBIDDEN)('fail on a forbidden import: $rule', async ({ rule, file, source }) => {
    const extra = { [file]: source, ...(rule === 'no-circular' ? { 'src/modules/f/f.two.ts': "import { one } from './f.one';\nexport const two = () => one;\n" } : {}) };
    const found = await violationsOf(extra);
    expect(found.map((v) => v.rule)).toContain(rule);
    expect(found.every((v) => v.from.startsWith(path.dirname(file)) || v.from === file)).toBe(true);
  });
});

describe('module index files (ESLint)', () => {
  it('refuse to export a repository', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const [bad] = await eslint.lintText("export { KbRepo } from './kb.repo';\n", { filePath: path.join(repoRoot, 'src/modules/kb/index.ts') });
    expect(bad!.messages.map((m) => m.message)).toContain("No repository is exported from a module's index.ts: give other modules a port or a service call");
    const [good] = await eslint.lintText("export { KbService } from './kb.service';\n", { filePath: path.join(repoRoot, 'src/modules/kb/index.ts') });
    expect(good!.messages).toEqual([]);
  });
});
