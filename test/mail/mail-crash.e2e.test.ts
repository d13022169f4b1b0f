import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runKefu, whenHealthy, type KefuProcess } from '../helpers/cli.js';

/**
 * Nothing accepted is lost: a `kefu start --role mail` node (no workers) answers 250 to a batch
 * of mails and is killed with SIGKILL before anything processes them; a node with workers started
 * on the same data dir afterwards turns every accepted message into exactly one ticket.
 */
let dataDir: string;
beforeAll(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), 'kefu-mail-crash-')); });
afterAll(async () => { await rm(dataDir, { recursive: true, force: true }); });

async function whenReceivingMail(kefu: KefuProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!kefu.output().includes('Kefu is receiving mail')) {
    if (kefu.child.exitCode !== null || Date.now() > deadline) throw new Error(`the mail role did not start:\n${kefu.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kefu start --role mail killed between the 250 and processing', () => {
  it('makes every accepted message a ticket exactly once after the restart', async () => {
    const smtpPort = await freePort();
    const env = { KEFU_DATA_DIR: dataDir, KEFU_SMTP_LISTEN_PORT: String(smtpPort), KEFU_SMTP_LISTEN_HOST: '127.0.0.1' };
    const mailNode = runKefu(['start', '--role', 'mail'], env);
    await whenReceivingMail(mailNode);

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    const accepted: string[] = [];
    for (let i = 0; i < 20; i++) {
      const subject = `Crash test ${i} ${Date.now()}`;
      const info = await transport.sendMail({ from: `crash${i}@customer.example`, to: 'support@yunmo.example', subject, text: `message ${i}`, messageId: `<crash-${i}-${Date.now()}@customer.example>` });
      expect(info.response).toMatch(/^250/);
      accepted.push(subject);
    }
    transport.close();
    mailNode.child.kill('SIGKILL');
    await mailNode.exited;

    const full = runKefu(['start'], env, await freePort());
    try {
      await whenHealthy(full);
      const { admin } = JSON.parse(await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as { admin: { email: string; password: string } };
      const login = await fetch(`${full.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
      const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      type Row = { status: string; subject: string | null; ticketId: string | null };
      let rows: Row[] = [];
      for (let i = 0; i < 300; i++) {
        const res = await fetch(`${full.url}/api/v1/mail/inbound?limit=200`, { headers: { cookie } });
        rows = ((await res.json()) as { messages: Row[] }).messages;
        if (rows.length >= accepted.length && rows.every((r) => r.status !== 'received')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(rows).toHaveLength(accepted.length);
      expect(rows.every((r) => r.status === 'processed')).toBe(true);
      expect(new Set(rows.map((r) => r.ticketId)).size).toBe(accepted.length);
      for (const subject of accepted) {
        const found = await fetch(`${full.url}/api/v1/tickets?view=all&q=${encodeURIComponent(subject)}`, { headers: { cookie } }).then((r) => r.json()) as { tickets: { subject: string }[] };
        expect(found.tickets.filter((t) => t.subject === subject), subject).toHaveLength(1);
      }
    } finally {
      full.child.kill('SIGTERM');
      await full.exited;
    }
  }, 240_000);
});
