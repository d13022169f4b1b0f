import { afterEach, describe, expect, it } from 'vitest';
import type { KefuProcess } from '../helpers/cli.js';
import { contactStream, createContactWorld, deliveryState, outcome, settled, whenHealthy, whenPrinted, type ContactWorld, type Outcome } from './contact-world.js';

/**
 * What must follow a commit survives the process dying at any moment: tickets over HTTP, mail over
 * SMTP and agents' replies stream in while `kill -9` hits Kefu at random moments; after the last
 * restart every committed ticket has its SLA state, its acknowledgement, its routing decision and
 * one webhook delivery per subscribed event, and every committed reply its one outbound mail.
 * Jobs the dead process held are retried once they expire (40 s), so settling takes up to a minute.
 */
const KILLS = 5;
const SETTLE_MS = 110_000;

let world: ContactWorld | undefined;
const running = new Set<KefuProcess>();
afterEach(async () => {
  for (const kefu of running) {
    kefu.child.kill('SIGKILL');
    await kefu.exited;
  }
  running.clear();
  await world?.close();
  world = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Between 0.5 and 3 s: kills land in start-up, in bursts of writes and in the middle of sends. */
const randomMoment = () => sleep(500 + Math.random() * 2500);

function started(kefu: KefuProcess): KefuProcess {
  running.add(kefu);
  void kefu.exited.then(() => running.delete(kefu));
  return kefu;
}

async function kill(kefu: KefuProcess): Promise<void> {
  kefu.child.kill('SIGKILL');
  await kefu.exited;
}

/** Polls until everything has followed or the deadline passes, then returns what was found. */
async function settle(w: ContactWorld): Promise<Outcome> {
  const deadline = Date.now() + SETTLE_MS;
  let result = await outcome(w);
  while (!settled(result) && Date.now() < deadline) {
    await sleep(1000);
    result = await outcome(w);
  }
  if (!settled(result)) console.log(`not settled: ${await deliveryState(w)}`);
  return result;
}

function expectExactlyOnce(result: Outcome, counts: { ticketsAcknowledged: number; mailsAccepted: number; repliesAcknowledged: number }) {
  // Everything acknowledged was committed (and maybe a few whose response was lost in a kill).
  expect(result.unprocessedMail, 'accepted mail not turned into a ticket').toEqual([]);
  expect(result.tickets).toBeGreaterThanOrEqual(counts.ticketsAcknowledged + counts.mailsAccepted);
  expect(result.replies).toBeGreaterThanOrEqual(counts.repliesAcknowledged);
  expect(counts.ticketsAcknowledged, 'tickets created over HTTP').toBeGreaterThan(0);
  expect(counts.mailsAccepted, 'mails accepted over SMTP').toBeGreaterThan(0);
  expect(counts.repliesAcknowledged, 'agent replies').toBeGreaterThan(0);
  expect.soft(result.missingSla, 'tickets without an SLA state').toEqual([]);
  expect.soft(result.missingAck, 'tickets without their acknowledgement').toEqual([]);
  expect.soft(result.missingRouting, 'tickets without a routing decision').toEqual([]);
  expect.soft(result.doubleRouting, 'tickets routed twice').toEqual([]);
  expect.soft(result.missingWebhook, 'events without their webhook delivery').toEqual([]);
  expect.soft(result.missingReplyMail, 'replies without their mail').toEqual([]);
  // SMTP and HTTP cannot be exactly once across a crash between the server's answer and our record
  // of it: such an attempt is sent again, with the same Message-ID / Kefu-Delivery, and nothing else is.
  expect.soft(result.unexplainedMailResends, 'mails sent twice without an interrupted attempt').toEqual([]);
  expect.soft(result.unexplainedWebhookResends, 'webhooks posted twice without an interrupted attempt').toEqual([]);
}

function report(label: string, kills: number, counts: object, result: Outcome, settleMs: number): void {
  console.log(`${label}: ${kills} kills; settled in ${(settleMs / 1000).toFixed(1)} s; acknowledged ${JSON.stringify(counts)}; committed tickets ${result.tickets} (acknowledgements due ${result.ackDue}), replies ${result.replies}, webhook events ${result.events}; `
    + `mails received ${result.mailsReceived} (re-sent after an interrupted attempt: ${result.mailResends}), webhook calls ${result.webhookCallsReceived} (re-posted: ${result.webhookResends})`);
}

describe('kill -9 while tickets, mail and replies stream in', () => {
  it('of the whole process (all roles): every committed contact gets each side effect once', async () => {
    world = await createContactWorld();
    let kefu = started(world.start('all'));
    await whenHealthy(kefu);
    await whenPrinted(kefu, 'Kefu is receiving mail');
    const stream = contactStream(world, { httpUrl: () => `http://127.0.0.1:${world!.httpPort}`, httpClients: 3 });
    for (let i = 0; i < KILLS; i++) {
      await randomMoment();
      await kill(kefu);
      kefu = started(world.start('all'));
      await whenHealthy(kefu);
    }
    await randomMoment();
    await stream.stop();
    const stopped = Date.now();
    const result = await settle(world);
    report('all roles killed', KILLS, stream.counts, result, Date.now() - stopped);
    expectExactlyOnce(result, stream.counts);
  }, 300_000);

  it('of the worker role while the web and mail roles keep running: the restarted worker catches up on everything', async () => {
    world = await createContactWorld();
    const web = started(world.start('web'));
    const mail = started(world.start('mail'));
    let worker = started(world.start('worker'));
    await whenHealthy(web);
    await whenPrinted(mail, 'Kefu is receiving mail');
    const stream = contactStream(world, { httpUrl: () => `http://127.0.0.1:${world!.httpPort}`, httpClients: 3 });
    for (let i = 0; i < KILLS; i++) {
      await randomMoment();
      await kill(worker);
      worker = started(world.start('worker'));
    }
    await randomMoment();
    await stream.stop();
    const stopped = Date.now();
    const result = await settle(world);
    report('worker role killed', KILLS, stream.counts, result, Date.now() - stopped);
    expectExactlyOnce(result, stream.counts);
    // The web and mail roles were never interrupted.
    expect(web.child.exitCode).toBeNull();
    expect(mail.child.exitCode).toBeNull();
  }, 300_000);
});
