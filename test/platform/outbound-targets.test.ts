import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { OutboundTargets, TargetForbiddenError } from '../../src/core/net/outbound-targets.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * Issue 12 #14: one check for every target a workspace admin types in — webhook URLs (their own
 * tests: webhooks.ssrf*.test.ts), a chat channel's outbound URL and IMAP hosts — with the
 * operator's exceptions (KEFU_PRIVATE_TARGETS) for a server on the office network.
 */
describe('the outbound target rules', () => {
  it('refuses private addresses unless the operator listed them, by address or by range', () => {
    const none = new OutboundTargets([]);
    expect(['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '64:ff9b::7f00:1'].filter((a) => none.permits(a))).toEqual([]);
    expect(none.permits('8.8.8.8')).toBe(true);
    const office = new OutboundTargets(['10.1.0.0/16', '127.0.0.1', 'fd00::25']);
    expect(['10.1.2.3', '127.0.0.1', 'fd00::25', '8.8.8.8'].every((a) => office.permits(a))).toBe(true);
    expect(['10.2.0.1', '127.0.0.2', 'fd00::26', '169.254.169.254'].filter((a) => office.permits(a))).toEqual([]);
    expect(new OutboundTargets('all').permits('127.0.0.1')).toBe(true);
  });

  it('resolves a name and refuses it when any of its addresses is not permitted', async () => {
    await expect(new OutboundTargets([]).resolve('localhost')).rejects.toBeInstanceOf(TargetForbiddenError);
    await expect(new OutboundTargets([]).assertPermitted('[::1]')).rejects.toMatchObject({ address: '::1' });
    expect(['127.0.0.1', '::1']).toContain(await new OutboundTargets(['127.0.0.1', '::1']).resolve('localhost'));
  });

  it('reads KEFU_PRIVATE_TARGETS, refuses what is not an address or range, and keeps the old webhook switch meaning all', () => {
    expect(loadConfig({ KEFU_PRIVATE_TARGETS: ' 10.0.4.20, 192.168.8.0/24 ' }).privateTargets).toEqual(['10.0.4.20', '192.168.8.0/24']);
    expect(loadConfig({ KEFU_PRIVATE_TARGETS: 'all' }).privateTargets).toBe('all');
    expect(loadConfig({}).privateTargets).toEqual([]);
    expect(loadConfig({ KEFU_WEBHOOKS_ALLOW_PRIVATE: 'true' }).privateTargets).toBe('all');
    for (const bad of ['intranet.local', '10.0.0.0/33', 'true', '10.0.0.1/8/2']) {
      expect(() => loadConfig({ KEFU_PRIVATE_TARGETS: bad }), bad).toThrow(/KEFU_PRIVATE_TARGETS/);
    }
  });
});

describe('targets typed in by a workspace admin, on the production rules', () => {
  let t: TestApp;
  let token: string;
  /** Counts connections, to show a refused target is never connected to. */
  let listener: net.Server;
  let connections = 0;
  const api = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    t.app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });

  beforeAll(async () => {
    t = await createTestApp({ KEFU_WEBHOOKS_ALLOW_PRIVATE: 'false', KEFU_PRIVATE_TARGETS: '' });
    token = (await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'targets', { type: 'system', id: null })).token;
    listener = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    listener?.close();
    await t?.close();
  });

  it('refuses an IMAP mailbox on a loopback or private host when saved and changed, and stores nothing', async () => {
    for (const host of ['127.0.0.1', 'localhost', '10.0.0.8', '[::1]']) {
      const res = await api('POST', '/api/v1/mail/mailboxes', { name: 'Internal', host, port: 993, username: 'u', password: 'p' });
      expect(res.statusCode, host).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'MAILBOX_HOST_FORBIDDEN' });
    }
    expect(await t.services.mailInbound.mailboxes.list(t.workspace.id)).toEqual([]);

    const created = await api('POST', '/api/v1/mail/mailboxes', { name: 'Hosted', host: '93.184.215.14', port: 993, username: 'u', password: 'p' });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const moved = await api('PATCH', `/api/v1/mail/mailboxes/${id}`, { host: '169.254.169.254' });
    expect(moved.statusCode).toBe(400);
    expect(moved.json().error).toMatchObject({ code: 'MAILBOX_HOST_FORBIDDEN' });
    expect((await t.services.mailInbound.mailboxes.get(t.workspace.id, id)).host).toBe('93.184.215.14');
  });

  it('does not connect to a stored mailbox whose host is now private, and says why without the port\'s state', async () => {
    const { port } = listener.address() as net.AddressInfo;
    const mailbox = await t.services.mailInbound.mailboxes.create(t.workspace.id, {
      name: 'Was public', host: '93.184.215.14', port, tls: 'none', username: 'u', password: 'p', folder: 'INBOX', afterImport: 'flag', moveTo: null, addressId: null, enabled: false,
    });
    // As if it had been saved before the rule, or under other operator settings.
    await t.database.db.updateTable('mail_mailboxes').set({ host: '127.0.0.1' }).where('id', '=', mailbox.id).execute();
    const error = await t.services.mailInbound.poller.pollOnce(t.workspace.id, mailbox.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetForbiddenError);
    expect(String(error)).toBe('TargetForbiddenError: 127.0.0.1 resolves to 127.0.0.1, a private or reserved address');
    expect(connections).toBe(0);
  });

  it('refuses a chat channel whose outbound URL points into the private network, when made and changed', async () => {
    for (const outboundUrl of ['http://169.254.169.254/latest/meta-data/', 'http://localhost:8080/sms', 'http://[::ffff:127.0.0.1]/']) {
      const res = await api('POST', '/api/v1/channels/webhook', { name: 'SMS', kind: 'sms', outboundUrl });
      expect(res.statusCode, outboundUrl).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'CHANNEL_TARGET_FORBIDDEN' });
    }
    expect((await t.services.chatChannels.list(t.workspace.id)).filter((c) => c.name === 'SMS')).toEqual([]);

    const made = await api('POST', '/api/v1/channels/webhook', { name: 'SMS', kind: 'sms', outboundUrl: 'https://93.184.215.14/sms' });
    expect(made.statusCode).toBe(201);
    const changed = await api('PATCH', `/api/v1/channels/webhook/${made.json().id as string}`, { outboundUrl: 'http://10.0.0.9/sms' });
    expect(changed.statusCode).toBe(400);
    expect(changed.json().error).toMatchObject({ code: 'CHANNEL_TARGET_FORBIDDEN' });
    expect((await t.services.chatChannels.get(t.workspace.id, made.json().id as string)).outbound_url).toBe('https://93.184.215.14/sms');
  });

  it('lets the operator allow one private server, and nothing beside it', async () => {
    const office = await createTestApp({ KEFU_WEBHOOKS_ALLOW_PRIVATE: 'false', KEFU_PRIVATE_TARGETS: '127.0.0.1' });
    try {
      const input = { name: 'Office', port: 993, tls: 'implicit' as const, username: 'u', password: 'p', folder: 'INBOX', afterImport: 'flag' as const, moveTo: null, addressId: null, enabled: false };
      await expect(office.services.mailInbound.mailboxes.create(office.workspace.id, { ...input, host: '127.0.0.1' })).resolves.toMatchObject({ host: '127.0.0.1' });
      await expect(office.services.mailInbound.mailboxes.create(office.workspace.id, { ...input, host: '127.0.0.2' })).rejects.toMatchObject({ code: 'MAILBOX_HOST_FORBIDDEN' });
    } finally {
      await office.close();
    }
  });
});
