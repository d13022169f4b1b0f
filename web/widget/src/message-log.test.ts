import { describe, expect, it } from 'vitest';
import { MessageLog, type ServerMessage } from './message-log.js';

function ids(): () => string {
  let n = 0;
  return () => `c${++n}`;
}

const agent = (seq: number, body = `agent ${seq}`): ServerMessage => ({ id: `m${seq}`, seq, author: 'agent', authorName: 'Emma', body, at: `2026-11-23T06:00:0${seq}Z` });

describe('the widget message log', () => {
  it('shows an own message at once as sending, and once when it comes back both acknowledged and pushed', () => {
    const log = new MessageLog(ids());
    const own = log.addOwn('hello', '2026-11-23T06:00:00Z');
    expect(log.list().map((m) => [m.body, m.state])).toEqual([['hello', 'sending']]);
    expect(log.unacknowledged()).toEqual([own]);

    const stored: ServerMessage = { id: 'm1', clientId: own.clientId, seq: 1, author: 'visitor', body: 'hello', at: '2026-11-23T06:00:01Z' };
    log.receive([stored]); // the ack
    log.receive([stored]); // the same message pushed to every tab of this visitor
    expect(log.list()).toHaveLength(1);
    expect(log.list()[0]).toMatchObject({ seq: 1, state: 'sent', clientId: 'c1' });
    expect(log.unacknowledged()).toEqual([]);
  });

  it('merges a reconnect fetch that overlaps what is already shown, in seq order, without doubles', () => {
    const log = new MessageLog(ids());
    log.receive([agent(1), agent(3)]);
    const own = log.addOwn('still there?', '2026-11-23T06:00:09Z');
    log.receive([agent(2), agent(3), { id: 'm4', clientId: own.clientId, seq: 4, author: 'visitor', body: 'still there?', at: '2026-11-23T06:00:09Z' }, agent(5)]);
    expect(log.list().map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(log.lastSeq()).toBe(5);
    expect(log.unacknowledged()).toEqual([]);
  });

  it('keeps unacknowledged messages last, in the order written, for re-sending after a reconnect', () => {
    const log = new MessageLog(ids());
    log.addOwn('first', 'a');
    log.addOwn('second', 'b');
    log.receive([agent(1)]);
    expect(log.list().map((m) => m.body)).toEqual(['agent 1', 'first', 'second']);
    expect(log.unacknowledged().map((m) => m.clientId)).toEqual(['c1', 'c2']);
  });

  it('moves delivery ticks forward only, and only on the visitor\'s own stored messages', () => {
    const log = new MessageLog(ids());
    const a = log.addOwn('a', 'x');
    const b = log.addOwn('b', 'y');
    log.receive([
      { id: 'm1', clientId: a.clientId, seq: 1, author: 'visitor', body: 'a', at: 'x' },
      agent(2),
      { id: 'm3', clientId: b.clientId, seq: 3, author: 'visitor', body: 'b', at: 'y' },
    ]);
    log.advance('read', 1);
    log.advance('delivered', 3);
    log.advance('delivered', 1); // late, lower receipt: "read" stays
    expect(log.list().map((m) => [m.seq, m.state])).toEqual([[1, 'read'], [2, 'sent'], [3, 'delivered']]);
  });

  it('keeps a message\'s text exactly as typed, markup included', () => {
    const log = new MessageLog(ids());
    log.receive([agent(1, '<script>alert(1)</script>')]);
    expect(log.list()[0]?.body).toBe('<script>alert(1)</script>');
  });

  it('drops a message the server refused for good, so it is neither pending nor re-sent', () => {
    const log = new MessageLog(ids());
    const keep = log.addOwn('fine', 'a');
    const refused = log.addOwn('x'.repeat(5000), 'b');
    log.discard(refused);
    expect(log.unacknowledged()).toEqual([keep]);
  });
});
