import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { AppError } from '../errors.js';

describe('configuration', () => {
  it('runs with no settings at all on the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, dataDir: './data', databaseUrl: undefined, redisUrl: undefined, publicUrl: 'http://localhost:3000' });
  });

  it('reads typed values', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@db:5432/kefu', REDIS_URL: 'redis://cache:6379', KEFU_PUBLIC_URL: 'https://help.example.com/' });
    expect(config).toMatchObject({ port: 8080, databaseUrl: 'postgres://u@db:5432/kefu', redisUrl: 'redis://cache:6379', publicUrl: 'https://help.example.com' });
  });

  it('reports every bad value at once, by name', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', LOG_LEVEL: 'loud', KEFU_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('CONFIG_INVALID');
    for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'KEFU_SECRET']) expect(appError.message).toContain(name);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
  });

  it('takes a database reached through a Unix socket directory, as libpq writes it, and refuses one with no host at all', () => {
    const socket = 'postgresql://postgres@/kefu?host=%2Fvar%2Frun%2Fpostgresql';
    expect(loadConfig({ DATABASE_URL: socket }).databaseUrl).toBe(socket);
    expect(loadConfig({ DATABASE_URL: 'postgresql:///kefu?host=%2Ftmp' }).databaseUrl).toBe('postgresql:///kefu?host=%2Ftmp');
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://postgres@/kefu' })).toThrow(/DATABASE_URL/);
  });
});
