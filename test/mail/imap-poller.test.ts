import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { apiToken, ticketsOf } from './mail-helpers.js';
import { startDovecot, type Dovecot } from './dovecot.js';

let t: TestApp;
let dovecot: Dovecot;
let token: string;
let mailboxId: string;

const mail = (from: string, subject: string, id: string) =>
  `From: ${from}\r\nTo: support@acme.example\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${subject} body\r\n`;

async function append(message: string, flags: string[] = [], folder = 'INBOX') {
  const client = await dovecot.client();
  try {
    await client.append(folder, message, flags);
  } finally {
    await client.logout();
  }
}

async function flagsByUid(folder = 'INBOX'): Promise<Map<number, string[]>> {
  const client = await dovecot.client();
  const lock = await client.getMailboxLock(folder);
  const flags = new Map<number, string[]>();
  try {
    for await (const m of client.fetch('1:*', { uid: true, flags: true }, { uid: true })) flags.set(m.uid, [...(m.flags ?? [])]);
  } catch {
    // an empty folder has no "1:*"
  } finally {
    lock.release();
    await client.logout();
  }
  return flags;
}

/** Deletes and creates a folder until the server gives it a UIDVALIDITY other than `old` (dovecot's is time-based). */
async function recreateFolder(folder: string, old: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = await dovecot.client();
    try {
      await client.mailboxDelete(folder);
      await client.mailboxCreate(folder);
      const status = await client.status(folder, { uidValidity: true });
      const validity = status ? Number(status.uidValidity) : old;
      if (validity !== old) return validity;
    } finally {
      await client.logout();
    }
    if (Date.now() > deadline) throw new Error(`the server kept UIDVALIDITY ${old} for ${folder}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });

beforeAll(async () => {
  dovecot = await startDovecot();
  t = await createTestApp({ KEFU_IMAP_POLL_SECONDS: '3600' });
  token = await apiToken(t);
});
afterAll(async () => {
  await t?.services.mailInbound.poller.stop();
  await t?.close();
  await dovecot?.stop();
});

describe('IMAP poller against a real dovecot', () => {
  it('stores the mailbox password encrypted and never returns it', async () => {
    const res = await api('POST', '/api/v1/mail/mailboxes', {
      name: 'Support inbox', host: '127.0.0.1', port: dovecot.port, tls: 'none', username: dovecot.user, password: dovecot.password,
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(dovecot.password);
    expect(res.json()).not.toHaveProperty('password');
    mailboxId = res.json().id;
    const row = await t.database.db.selectFrom('mail_mailboxes').select('password_encrypted').where('id', '=', mailboxId).executeTakeFirstOrThrow();
    expect(row.password_encrypted).not.toContain(dovecot.password);
    expect(row.password_encrypted).toMatch(/^v1\./);
    const bad = await api('POST', '/api/v1/mail/mailboxes', { name: 'x', host: 'bad host!', port: 0, username: '', password: '' });
    expect(bad.statusCode).toBe(400);
    const move = await api('POST', '/api/v1/mail/mailboxes', { name: 'x', host: 'imap.example', port: 993, username: 'u', password: 'p', afterImport: 'move' });
    expect(move.statusCode).toBe(400);
  });

  it('ingests new mail by UID — mail another client already read included — then flags it \\Seen', async () => {
    await append(mail('imap1@customer.example', 'From IMAP one', 'imap-1@customer.example'));
    await append(mail('imap2@customer.example', 'Already read elsewhere', 'imap-2@customer.example'), ['\\Seen']);
    expect(await t.services.mailInbound.poller.pollOnce(t.workspace.id, mailboxId)).toBe(2);
    await t.jobs.drain();
    const subjects = (await ticketsOf(t)).map((x) => x.subject);
    expect(subjects).toEqual(expect.arrayContaining(['From IMAP one', 'Already read elsewhere']));
    for (const flags of (await flagsByUid()).values()) expect(flags).toContain('\\Seen');
    expect(await t.services.mailInbound.poller.pollOnce(t.workspace.id, mailboxId)).toBe(0);
    const view = (await api('GET', `/api/v1/mail/mailboxes/${mailboxId}`)).json();
    expect(view).toMatchObject({ lastUid: 2, lastError: null });
    expect(view.uidValidity).toBeGreaterThan(0);
  });

  it('starts over after the server renumbers the folder (a new UIDVALIDITY), taking the new UIDs below the recorded one', async () => {
    // Its own folder, which the test deletes and creates again: the server gives it a new UIDVALIDITY and restarts its UIDs at 1.
    const folder = 'Renumbered';
    const setup = await dovecot.client();
    await setup.mailboxCreate(folder);
    await setup.logout();
    for (let i = 1; i <= 3; i++) await append(mail(`renumber${i}@customer.example`, `Before renumbering ${i}`, `renumber-${i}@customer.example`), [], folder);
    const box = await api('POST', '/api/v1/mail/mailboxes', {
      name: 'Renumbered inbox', host: '127.0.0.1', port: dovecot.port, tls: 'none', username: dovecot.user, password: dovecot.password, folder,
    });
    expect(box.statusCode).toBe(201);
    const id = box.json().id as string;
    expect(await t.services.mailInbound.poller.pollOnce(t.workspace.id, id)).toBe(3);
    const before = (await api('GET', `/api/v1/mail/mailboxes/${id}`)).json();
    expect(before.lastUid).toBe(3);

    const validity = await recreateFolder(folder, before.uidValidity);
    // One mail already ingested comes back (UID 1 now) beside a new one (UID 2): both below the recorded UID 3.
    await append(mail('renumber1@customer.example', 'Before renumbering 1', 'renumber-1@customer.example'), [], folder);
    await append(mail('renumbered@customer.example', 'After renumbering', 'renumbered@customer.example'), [], folder);
    expect(await t.services.mailInbound.poller.pollOnce(t.workspace.id, id)).toBe(2);
    await t.jobs.drain();
    const subjects = (await ticketsOf(t)).map((x) => x.subject);
    expect(subjects.filter((s) => s === 'After renumbering')).toHaveLength(1);
    // The Message-ID keeps the mail seen before from making a second ticket.
    expect(subjects.filter((s) => s === 'Before renumbering 1')).toHaveLength(1);
    expect((await api('GET', `/api/v1/mail/mailboxes/${id}`)).json()).toMatchObject({ uidValidity: validity, lastUid: 2, lastError: null });
    expect((await api('PATCH', `/api/v1/mail/mailboxes/${id}`, { enabled: false })).statusCode).toBe(200);
  });

  it('moves ingested mail to a folder when configured to', async () => {
    const setup = await dovecot.client();
    await setup.mailboxCreate('Processed').catch(() => undefined);
    await setup.logout();
    const patched = await api("PATCH", `/api/v1/mail/mailboxes/${mailboxId}`, { afterImport: "move", moveTo: "Processed" });
    expect(patched.statusCode).toBe(200);
    await append(mail('imap3@customer.example', 'To be moved', 'imap-3@customer.example'));
    await t.services.mailInbound.poller.pollOnce(t.workspace.id, mailboxId);
    await t.jobs.drain();
    expect((await ticketsOf(t)).map((x) => x.subject)).toContain('To be moved');
    expect((await flagsByUid('Processed')).size).toBe(1);
  });

  it('picks up new mail while idling, without waiting for the next poll', async () => {
    const polledAt = async () => (await t.database.db.selectFrom('mail_mailboxes').select('last_polled_at').where('id', '=', mailboxId).executeTakeFirstOrThrow()).last_polled_at?.getTime();
    const before = await polledAt();
    await t.services.mailInbound.poller.start();
    // The watcher polls once on start; after that (the poll interval is an hour) only IDLE can bring new mail in.
    for (let i = 0; i < 100 && (await polledAt()) === before; i++) await new Promise((r) => setTimeout(r, 100));
    // Mail appended from here on is announced by the server (EXISTS) whether or not IDLE has begun yet.
    await append(mail('idle@customer.example', 'Arrived during IDLE', 'imap-idle@customer.example'));
    let found = false;
    for (let i = 0; i < 200 && !found; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await t.jobs.drain();
      found = (await ticketsOf(t)).some((x) => x.subject === 'Arrived during IDLE');
    }
    expect(found).toBe(true);
    await t.services.mailInbound.poller.stop();
  });

  it('refuses a wrong password with the server\'s AUTHENTICATIONFAILED and records it on the mailbox instead of crashing', async () => {
    expect((await api('PATCH', `/api/v1/mail/mailboxes/${mailboxId}`, { password: 'wrong-password' })).statusCode).toBe(200);
    await expect(t.services.mailInbound.poller.pollOnce(t.workspace.id, mailboxId)).rejects.toMatchObject({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' });
    await t.services.mailInbound.poller.start();
    let error: string | null = null;
    for (let i = 0; i < 100 && !error; i++) {
      await new Promise((r) => setTimeout(r, 100));
      error = (await api('GET', `/api/v1/mail/mailboxes/${mailboxId}`)).json().lastError;
    }
    await t.services.mailInbound.poller.stop();
    expect(error).toMatch(/^AUTHENTICATIONFAILED: /);
  });
});
