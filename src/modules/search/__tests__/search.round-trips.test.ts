import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { statementsOf } from '../../../../test/helpers/statements.js';
import type { SearchDocument, SearchService } from '../index.js';

/**
 * Issue 15: every inbound mail's acknowledgement suggests answers through `bestAnswers`, and every
 * search plans its query the same way. What a plan needs of the vocabulary (the query's words,
 * their synonyms' and the known words near its typos) is one statement on `search_terms`.
 */
let t: TestApp;
let search: SearchService;
let ws: string;

const doc = (id: string, title: string, body: string): SearchDocument => ({
  kind: 'article', id, locale: 'en', title, body, categoryId: null, product: null, tags: [], url: `/kb/articles/${id}`, publishedAt: new Date('2026-01-01'),
});

/** A known word (toner), a typo of a known one (drivr) and a word known only through its synonym (wlan → wireless). */
const QUERY = 'toner drivr wlan';

beforeAll(async () => {
  t = await createTestApp();
  search = t.services.search;
  ws = t.workspace.id;
  for (const d of [
    doc('toner', 'Replacing the toner cartridge', 'When prints are faint, replace the cartridge with a genuine one.'),
    doc('driver', 'Installing the printer driver', 'Download the driver for Windows or macOS from the support site.'),
    doc('wifi', 'Connecting to Wi-Fi', 'Use the setup wizard on the control panel to join your wireless network.'),
    doc('jam', 'Clearing a paper jam', 'Open the front cover and pull the jammed sheet out slowly.'),
  ]) await search.index(ws, d);
  await search.addSynonym(ws, { locale: 'en', terms: ['wlan', 'wireless'] });
  // Another workspace's vocabulary has the typo as a word: it must not count as known here.
  const beta = await t.addWorkspace('beta');
  await search.index(beta.id, doc('beta-drivr', 'Drivr, our scanner app', 'Drivr scans receipts.'));
  // Synonym groups, corpus size and model version are cached per node: warm them, as a busy server has.
  await search.search(ws, { q: QUERY, locale: 'en', source: 'api', log: false });
});
afterAll(async () => { await t.close(); });

/** The statements on the vocabulary, and whether each came before the first one ranking documents. */
function vocabularyStatements(sent: string[]) {
  const ranking = sent.findIndex((s) => s.includes('"search_documents"'));
  return { ranking, vocabulary: sent.flatMap((s, i) => (s.includes('"search_terms"') ? [{ beforeRanking: ranking < 0 || i < ranking }] : [])) };
}

describe('planning a query reads the vocabulary in one statement', () => {
  it('search: one search_terms statement before the ranking, the typo corrected and the synonym found', async () => {
    let hits: Awaited<ReturnType<SearchService['search']>>['hits'] = [];
    const sent = await statementsOf(async () => { hits = (await search.search(ws, { q: QUERY, locale: 'en', source: 'api', log: false })).hits; });
    const { ranking, vocabulary } = vocabularyStatements(sent);
    expect(ranking).toBeGreaterThan(0);
    expect(vocabulary).toEqual([{ beforeRanking: true }]);
    expect(hits.map((h) => h.id).sort()).toEqual(['driver', 'toner', 'wifi']);
    // Marked in the snippets: the word the typo was corrected to, and the synonym searched for.
    expect(hits.find((h) => h.id === 'driver')!.snippetHtml).toContain('<mark>driver</mark>');
    expect(hits.find((h) => h.id === 'wifi')!.snippetHtml).toContain('<mark>wireless</mark>');
  });

  it('bestAnswers (an acknowledgement\'s suggested answers): one search_terms statement before the ranking', async () => {
    let answers: Awaited<ReturnType<SearchService['bestAnswers']>> = [];
    const mail = 'Hello, installing the printer drivr fails on my laptop over wlan. Regards, Li Wei';
    const sent = await statementsOf(async () => { answers = await search.bestAnswers(ws, mail, 'en'); });
    const { ranking, vocabulary } = vocabularyStatements(sent);
    expect(ranking).toBeGreaterThan(0);
    expect(vocabulary).toEqual([{ beforeRanking: true }]);
    expect(answers.map((a) => a.id)).toEqual(['driver']);
  });

  it('suggest: a typo is corrected against the vocabulary in one statement', async () => {
    let suggestions: Awaited<ReturnType<SearchService['suggest']>> = [];
    const sent = await statementsOf(async () => { suggestions = await search.suggest(ws, 'installing the drivr', 'en'); });
    expect(suggestions.map((s) => s.id)).toEqual(['driver']);
    expect(sent.filter((s) => s.includes('"search_terms"'))).toHaveLength(1);
  });
});
