import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';

describe('request logging (issue 12 #15)', () => {
  it('blanks secrets in logged query strings and keeps the rest of the URL', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const app = Fastify({ loggerInstance: createLogger('info', sink) });
    app.get('/reset', async () => ({ ok: true }));
    await app.inject({ url: '/reset?token=live-reset-secret&lang=en' });
    await app.inject({ url: '/reset?TOKEN=visitor-secret-2' });
    await app.close();
    const logged = lines.join('');
    expect(logged).toContain('/reset?token=[redacted]&lang=en');
    expect(logged).not.toContain('live-reset-secret');
    expect(logged).not.toContain('visitor-secret-2');
  });
});
