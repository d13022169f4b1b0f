import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { checkIsolation, type IsolationCheck } from './isolation-checker.js';
import { isolationSetup } from './isolation-setup.js';

/**
 * Every route of the app, called as another workspace (its admin's API token; its own portal host
 * with a signed-in customer) with the first workspace's ids in the path, the query and the body,
 * must refuse and leak nothing (isolation-checker.ts says what is checked after each request).
 */
/**
 * Findings that are no leak, known and reported, each with its reason: the test prints them and
 * fails when one stops occurring, so the list only shrinks.
 */
const ACCEPTED: { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^(POST|PUT) \/api\/v1\/troubleshooting\/trees(\/:id)? with a foreign nodes\[\]\.articleId .* made a row of the intruder's troubleshooting_trees name the victim's ids$/,
    reason: "a solution may link another workspace's article id; the portal looks links up in its own workspace, so nothing is shown, but the id is stored: the tree's validation should refuse it (the KB port only answers for published articles)",
  },
];

/** Every route of every module, several requests each: it grows with the app, beyond the default per-test time. */
const PROBE_ALL_ROUTES_MS = 180_000;

let t: TestApp;
let check: IsolationCheck;
beforeAll(async () => { ({ t, check } = await isolationSetup()); });
afterAll(async () => { await t?.close(); });

describe('cross-workspace isolation', () => {
  it('probes a ticket number the victim has and the intruder has not', async () => {
    const number = Number(check.victim.ids.ticketNumber);
    expect((await t.services.tickets.ticketByNumber(check.victim.id, number)).id).toBe(check.victim.ids.ticket);
    await expect(t.services.tickets.ticketByNumber(check.intruder.id, number)).rejects.toMatchObject({ code: 'TICKET_NOT_FOUND' });
  });

  it('lets no route read or change another workspace by an id in its path, query or body', async () => {
    const report = await checkIsolation(check);
    console.log(`cross-workspace probes: ${report.probes.path} by path, ${report.probes.query} by query, ${report.probes.body} by body`);
    const accepted = report.violations.filter((v) => ACCEPTED.some(({ pattern }) => pattern.test(v)));
    for (const v of accepted) console.log(`accepted finding: ${v} (${ACCEPTED.find(({ pattern }) => pattern.test(v))!.reason})`);
    expect(report.violations.filter((v) => !accepted.includes(v))).toEqual([]);
    // Each accepted finding still occurs; once fixed, it leaves this list.
    for (const { pattern } of ACCEPTED) expect(accepted.some((v) => pattern.test(v)), `${pattern} no longer occurs: remove it`).toBe(true);
    expect(report.probes.path).toBeGreaterThan(85);
    expect(report.probes.query).toBeGreaterThan(5);
    expect(report.probes.body).toBeGreaterThan(20);
  }, PROBE_ALL_ROUTES_MS);

  it('does not accept a session cookie from one workspace as a customer of another', async () => {
    // The intruder's signed-in customer on the victim's host (acme answers hosts no workspace names).
    const res = await t.app.http.inject({ url: '/requests', headers: { cookie: check.intruder.customerCookie } });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/sign-in');
    const own = await t.app.http.inject({ url: '/requests', headers: { cookie: check.intruder.customerCookie, host: check.intruder.host } });
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain(check.intruder.ids.subject);
  });
});
