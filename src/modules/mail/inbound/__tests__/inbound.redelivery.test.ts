import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../../test/helpers/app.js';
import type { InboundRoute } from '../inbound.service.js';

/**
 * A redelivery is the same Message-ID with the same content, and is stored once; a different
 * message that reuses a Message-ID (broken mailers, test corpora) is a message of its own.
 */
let t: TestApp;
let route: InboundRoute;

beforeAll(async () => {
  t = await createTestApp();
  const address = await t.services.mailInbound.addresses.create(t.workspace.id, { address: 'help@acme.example', locale: 'en' });
  route = { workspace_id: t.workspace.id, id: address.id, address: address.address };
});
afterAll(async () => { await t?.close(); });

const eml = (from: string, subject: string, body: string, messageId: string) => Buffer.from([
  `From: ${from}`, 'To: help@acme.example', `Subject: ${subject}`, 'Date: Sat, 05 Dec 2026 09:00:00 +0800', `Message-ID: <${messageId}>`, '', body, '',
].join('\r\n'));

async function deliver(raw: Buffer) {
  const accepted = await t.services.mailInbound.inbound.accept(raw, { from: 'relay@customer.example', recipients: [route], remoteIp: '127.0.0.1', source: 'smtp' });
  await t.jobs.drain();
  return accepted;
}

const rowsWith = (messageId: string) => t.database.db.selectFrom('mail_inbound')
  .select(['id', 'status', 'outcome', 'ticket_id', 'message_id_reused']).where('workspace_id', '=', t.workspace.id).where('message_id', '=', messageId)
  .orderBy('received_at').execute();

describe('Message-IDs and redeliveries', () => {
  it('stores a redelivery once, even when a relay put its trace fields on top', async () => {
    const raw = eml('li.lei@customer.example', 'Printer offline', 'It shows error E3.', 'same-1@customer.example');
    expect(await deliver(raw)).toEqual({ stored: 1, duplicates: 0 });
    expect(await deliver(raw)).toEqual({ stored: 0, duplicates: 1 });
    const relayed = Buffer.concat([Buffer.from('Received: from mx2.customer.example by mx.acme.example;\r\n\tSat, 05 Dec 2026 09:01:00 +0800\r\nReturn-Path: <li.lei@customer.example>\r\n'), raw]);
    expect(await deliver(relayed)).toEqual({ stored: 0, duplicates: 1 });
    const rows = await rowsWith('same-1@customer.example');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'processed', outcome: 'ticket_created', message_id_reused: false });
  });

  it('stores once a message its sender composed again for the retry, with a new Date, wherever the Date field stands', async () => {
    const raw = eml('han.mei@customer.example', 'Scanner stripes', 'Every scan has a grey stripe.', 'recomposed@customer.example');
    expect(await deliver(raw)).toEqual({ stored: 1, duplicates: 0 });
    const redated = Buffer.from(raw.toString('latin1').replace('09:00:00 +0800', '09:00:07 +0800'), 'latin1');
    expect(await deliver(redated)).toEqual({ stored: 0, duplicates: 1 });
    // A Date-like line in the body is content, not a header: changing it makes another message.
    const otherBody = eml('han.mei@customer.example', 'Scanner stripes', 'Date: tomorrow\r\nEvery scan has a grey stripe.', 'recomposed@customer.example');
    expect(await deliver(otherBody)).toEqual({ stored: 1, duplicates: 0 });
    expect(await rowsWith('recomposed@customer.example')).toHaveLength(2);
  });

  it('accepts a different message that reuses a Message-ID as its own ticket, and notes the reuse', async () => {
    const first = eml('zhang.wei@customer.example', 'Toner empty', 'Please send toner.', 'reused@corpus.example');
    const second = eml('wang.fang@other.example', 'Paper jam', 'Tray 2 jams every time.', 'reused@corpus.example');
    expect(await deliver(first)).toEqual({ stored: 1, duplicates: 0 });
    expect(await deliver(second)).toEqual({ stored: 1, duplicates: 0 });
    // The second one's redelivery is still a redelivery.
    expect(await deliver(second)).toEqual({ stored: 0, duplicates: 1 });

    const rows = await rowsWith('reused@corpus.example');
    expect(rows.map((r) => [r.status, r.outcome, r.message_id_reused])).toEqual([['processed', 'ticket_created', false], ['processed', 'ticket_created', true]]);
    expect(rows[0]!.ticket_id).not.toBe(rows[1]!.ticket_id);
    const subjects = await t.database.db.selectFrom('tickets').select('subject').where('id', 'in', rows.map((r) => r.ticket_id!)).orderBy('number').execute();
    expect(subjects.map((s) => s.subject)).toEqual(['Toner empty', 'Paper jam']);
    // Admins see it in the received-mail log.
    const list = await t.services.mailInbound.inbound.list(t.workspace.id, { limit: 50 });
    expect(list.messages.filter((m) => m.message_id === 'reused@corpus.example').map((m) => m.message_id_reused).sort()).toEqual([false, true]);
  });

  it('takes a Message-ID stored before contents were fingerprinted for that message again', async () => {
    const raw = eml('old@customer.example', 'Before the upgrade', 'Stored by an older release.', 'legacy@customer.example');
    expect(await deliver(raw)).toEqual({ stored: 1, duplicates: 0 });
    await t.database.db.updateTable('mail_inbound').set({ content_sha256: null }).where('message_id', '=', 'legacy@customer.example').execute();
    expect(await deliver(raw)).toEqual({ stored: 0, duplicates: 1 });
    const rows = await rowsWith('legacy@customer.example');
    expect(rows.map((r) => r.outcome)).toEqual(['ticket_created', 'duplicate']);
  });
});
