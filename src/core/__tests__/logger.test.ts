import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { RequestLog } from '../http/request-log.js';
import { createLogger, logFormatOf } from '../logger.js';

/** A stream that keeps what is written; `isTTY` as a terminal (or a pipe) would report it. */
function sink(isTTY: boolean) {
  const lines: string[] = [];
  const stream = Object.assign(new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }), { isTTY });
  return { stream, text: () => lines.join('') };
}

async function serve(level: string, out: Writable, slowMs?: number) {
  const app = Fastify({ loggerInstance: createLogger(level, out), logController: new RequestLog(slowMs) });
  app.get('/ok', async () => ({ ok: true }));
  app.get('/reset', async () => ({ ok: true }));
  app.get('/boom', async () => { throw new Error('boom'); });
  return app;
}

describe('request logging (issue 12 #15)', () => {
  it('blanks secrets in logged query strings and keeps the rest of the URL', async () => {
    const out = sink(false);
    const app = await serve('debug', out.stream);
    await app.inject({ url: '/reset?token=live-reset-secret&lang=en' });
    await app.inject({ url: '/reset?TOKEN=visitor-secret-2' });
    await app.close();
    const logged = out.text();
    expect(logged).toContain('/reset?token=[redacted]&lang=en');
    expect(logged).not.toContain('live-reset-secret');
    expect(logged).not.toContain('visitor-secret-2');
  });
});

describe('logs a person can read (issue 15 item 7)', () => {
  it('writes JSON lines when the output is not a terminal', () => {
    const out = sink(false);
    expect(logFormatOf(out.stream)).toBe('json');
    createLogger('info', out.stream).info({ workspace: 'main' }, 'Kefu started');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'Kefu started', workspace: 'main' });
  });

  it('writes readable text, not JSON, on a terminal', () => {
    const out = sink(true);
    expect(logFormatOf(out.stream)).toBe('pretty');
    createLogger('info', out.stream).info({ workspace: 'main' }, 'Kefu started');
    const text = out.text();
    expect(text).toContain('Kefu started');
    expect(text).toMatch(/INFO/);
    expect(text.trim().startsWith('{')).toBe(false);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('logs a successful request at debug only: nothing at info', async () => {
    const quiet = sink(false);
    const app = await serve('info', quiet.stream);
    expect((await app.inject({ url: '/ok' })).statusCode).toBe(200);
    await app.close();
    expect(quiet.text()).toBe('');

    const verbose = sink(false);
    const debug = await serve('debug', verbose.stream);
    await debug.inject({ url: '/ok' });
    await debug.close();
    const lines = verbose.text().trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; res?: { statusCode: number } });
    expect(lines).toEqual([expect.objectContaining({ level: 20, msg: 'request completed', res: { statusCode: 200 } })]);
  });

  it('logs a failed request at warn, and a slow one (every request is slow at a 0 ms threshold)', async () => {
    const failed = sink(false);
    const app = await serve('info', failed.stream);
    expect((await app.inject({ url: '/boom' })).statusCode).toBe(500);
    await app.close();
    const lines = failed.text().trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'request failed' }));

    const slow = sink(false);
    const slowApp = await serve('info', slow.stream, 0);
    await slowApp.inject({ url: '/ok' });
    await slowApp.close();
    expect(JSON.parse(slow.text().trim())).toMatchObject({ level: 40, msg: 'slow request', res: { statusCode: 200 } });
  });
});
