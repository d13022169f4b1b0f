import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as coreErrors from '../../src/core/errors.js';
import { AppError } from '../../src/core/errors.js';

/**
 * Each module declares its errors once, in `<module>.errors.ts` (ESLint refuses `new AppError`
 * anywhere else in a module), and the core declares the shared ones. Every declared error is made
 * here once, with no arguments: a code that two declarations give different statuses fails.
 */

const src = join(import.meta.dirname, '../../src');

interface Declared { where: string; code: string; status: number }

/** Every `(...) => AppError` exported, directly or in an object of factories, made with a placeholder for each required argument. */
function declared(where: string, exports: Record<string, unknown>): Declared[] {
  const found: Declared[] = [];
  const visit = (name: string, value: unknown) => {
    if (typeof value === 'function' && value.prototype === undefined) {
      const error: unknown = (value as (...args: string[]) => unknown)(...Array<string>(value.length).fill('x'));
      if (error instanceof AppError) found.push({ where: `${where} ${name}`, code: error.code, status: error.status });
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) visit(`${name}.${key}`, inner);
    }
  };
  for (const [name, value] of Object.entries(exports)) visit(name, value);
  return found;
}

/** "CODE: 400 (where), 404 (where)" for each code declared with more than one status. */
function conflicts(all: Declared[]): string[] {
  const byCode = new Map<string, Declared[]>();
  for (const e of all) byCode.set(e.code, [...byCode.get(e.code) ?? [], e]);
  return [...byCode].filter(([, seen]) => new Set(seen.map((e) => e.status)).size > 1)
    .map(([code, seen]) => `${code}: ${seen.map((e) => `${e.status} (${e.where})`).join(', ')}`);
}

describe('error codes', () => {
  it('each have one HTTP status across the core and every module\'s errors file', async () => {
    const files = (await readdir(join(src, 'modules'), { withFileTypes: true, recursive: true }))
      .filter((e) => e.isFile() && e.name.endsWith('.errors.ts')).map((e) => join(e.parentPath, e.name));
    const all = declared('core/errors.ts', coreErrors);
    for (const file of files) all.push(...declared(relative(src, file), await import(file) as Record<string, unknown>));
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(new Set(all.map((e) => e.code)).size).toBeGreaterThan(50);
    expect(all.find((e) => e.code === 'DEPARTMENT_UNKNOWN')).toMatchObject({ status: 400 });
    expect(conflicts(all)).toEqual([]);
  });

  it('name the declarations of a code given two statuses', () => {
    const twice = declared('fixture', { tickets: { gone: () => new AppError('GONE', 404, 'x') }, chat: { gone: () => new AppError('GONE', 410, 'y') } });
    expect(conflicts(twice)).toEqual(['GONE: 404 (fixture tickets.gone), 410 (fixture chat.gone)']);
  });
});
