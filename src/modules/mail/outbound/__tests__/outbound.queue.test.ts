import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../../../../../test/helpers/app.js';
import type { OutboundMail } from '../../../../core/mail/outbox.js';
import { statementWaitsForLock, statementsOf } from '../../../../../test/helpers/statements.js';

/**
 * Queueing a mail (MailOutbox.queue): one mail per idempotency key however its callers meet, and a
 * ticket's mail's Message-ID recorded with it, once, in the same statement.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'help@acme.example' });
});
afterAll(async () => { await t?.close(); });

let n = 0;
async function ticketOf(workspace: TestWorkspace = t.workspace) {
  return t.services.tickets.open(workspace.id, {
    subject: 'Invoice missing', body: 'Where is my invoice?', channel: 'email', customer: { email: `wang.fang.${++n}@customer.example`, name: 'Wang Fang' },
  }, { type: 'system', id: null });
}

const mailFor = (ticketId: string | undefined, idempotencyKey: string | undefined): OutboundMail => ({
  to: 'wang.fang@customer.example', template: 'csatRequest', locale: 'en',
  vars: { name: 'Wang Fang', number: '1', subject: 'Invoice missing', link: 'https://help.acme.example/r/1', workspace: 'Acme' },
  ...(ticketId ? { ticketId } : {}), ...(idempotencyKey ? { idempotencyKey } : {}),
});

const mailsWithKey = (key: string) => t.database.db.selectFrom('mail_outbox').select(['id', 'workspace_id']).where('idempotency_key', '=', key).execute();
const threadOf = (ticketId: string) => t.database.db.selectFrom('mail_message_ids').select(['message_id', 'direction']).where('ticket_id', '=', ticketId).execute();

describe('queueing a mail', () => {
  it('stores a ticket\'s mail with its Message-ID in one statement, and a second call with its key returns it in one, writing nothing', async () => {
    const ticket = await ticketOf();
    await t.services.outbox.queue(t.workspace.id, mailFor(undefined, undefined)); // this node's support addresses, read
    // The ticket's after-effects done and the event subscribers' cursors written: nothing else sends a statement meanwhile.
    await t.jobs.drain();
    let first, second;
    expect(await statementsOf(async () => { first = await t.services.outbox.queue(t.workspace.id, mailFor(ticket.id, `once:${ticket.id}`)); })).toHaveLength(1);
    expect(await statementsOf(async () => { second = await t.services.outbox.queue(t.workspace.id, mailFor(ticket.id, `once:${ticket.id}`)); })).toHaveLength(1);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ status: 'held' });
    expect(await mailsWithKey(`once:${ticket.id}`)).toHaveLength(1);
    expect(await threadOf(ticket.id)).toEqual([{ message_id: first!.messageId, direction: 'outbound' }]);
  });

  it('records a Message-ID only for a ticket\'s mail', async () => {
    const queued = await t.services.outbox.queue(t.workspace.id, mailFor(undefined, undefined));
    const recorded = await t.database.db.selectFrom('mail_message_ids').select('ticket_id').where('message_id', '=', queued.messageId).execute();
    expect(recorded).toEqual([]);
    const ticket = await ticketOf();
    const again = await t.services.outbox.queue(t.workspace.id, mailFor(ticket.id, undefined));
    const another = await t.services.outbox.queue(t.workspace.id, mailFor(ticket.id, undefined));
    expect(another.id).not.toBe(again.id);
    expect((await threadOf(ticket.id)).map((m) => m.message_id).sort()).toEqual([again.messageId, another.messageId].sort());
  });

  it('gives two callers racing with one key the same mail, and its ticket one Message-ID', async () => {
    const ticket = await ticketOf();
    const mail = mailFor(ticket.id, `race:${ticket.id}`);
    // The first caller's transaction (not workspace-scoped) stays open until the second's insert waits for it.
    const { mine, theirs } = await t.database.db.transaction().execute(async (trx) => {
      const queued = await t.services.outbox.queue(t.workspace.id, mail, trx);
      const racing = t.services.outbox.queue(t.workspace.id, mail);
      racing.catch(() => undefined);
      await statementWaitsForLock(t.database.db, 'insert into "mail_outbox"');
      return { mine: queued, theirs: racing };
    });
    expect(await theirs).toEqual(mine);
    expect(await mailsWithKey(`race:${ticket.id}`)).toHaveLength(1);
    expect(await threadOf(ticket.id)).toEqual([{ message_id: mine.messageId, direction: 'outbound' }]);
  });

  it('keeps another workspace\'s mail with the same key apart, in a caller\'s transaction that is not workspace-scoped', async () => {
    const other = await t.addWorkspace('queue-other');
    const [ours, theirs] = [await ticketOf(), await ticketOf(other)];
    const key = 'digest:shared-key';
    const first = await t.services.outbox.queue(t.workspace.id, mailFor(ours.id, key));
    const second = await t.database.db.transaction().execute((trx) => t.services.outbox.queue(other.id, mailFor(theirs.id, key), trx));
    expect(second.id).not.toBe(first.id);
    expect((await mailsWithKey(key)).map((m) => m.workspace_id).sort()).toEqual([t.workspace.id, other.id].sort());
    expect(await threadOf(theirs.id)).toEqual([{ message_id: second.messageId, direction: 'outbound' }]);
    const recorded = await t.database.db.selectFrom('mail_message_ids').select('workspace_id').where('message_id', '=', second.messageId).executeTakeFirstOrThrow();
    expect(recorded.workspace_id).toBe(other.id);
  });

  it('stores mail to a placeholder address as failed, its Message-ID recorded all the same', async () => {
    const ticket = await ticketOf();
    const queued = await t.services.outbox.queue(t.workspace.id, { ...mailFor(ticket.id, `phone:${ticket.id}`), to: 'customer-123@phone.invalid' });
    expect(queued.status).toBe('failed');
    expect(await threadOf(ticket.id)).toEqual([{ message_id: queued.messageId, direction: 'outbound' }]);
  });
});
