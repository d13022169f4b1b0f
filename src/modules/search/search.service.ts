import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isUuid } from '../../contracts/http.js';
import type { Clock } from '../../core/clock.js';
import { AppError, notFound, validationFailed } from '../../core/errors.js';
import { locales, type Locale } from '../../core/i18n/index.js';
import { besideCaller, OffThread } from '../../core/off-thread.js';
import { WorkspaceCache } from '../../core/workspace-cache.js';
import { analyse, indexText, normalise, quoteLexeme, runsOf, wordLexeme } from './search.analyzer.js';
import { snippet } from './search.highlight.js';
import type { LearnedCandidates, RankedQuery, RankedRow, SearchRepo, WeightedTerm } from './search.repo.js';
import { alignTopHits, ALIGNED_HITS } from './search.alignment.js';
import { bodyLines, LearnedRanker, RANKER_FORMAT, type RankerTraining, type TrainedRanker, type TrainingDocument } from './search.ranker.js';
import { DOCUMENT_KINDS, LOGGED_SOURCES, type DocumentKind, type SearchSource, type SynonymRow, type UsefulnessSignal } from './search.schema.js';
import { searchErrors } from './search.errors.js';

export interface SearchDocument {
  kind: DocumentKind;
  id: string;
  locale: Locale;
  title: string;
  /** Plain text. */
  body: string;
  categoryId: string | null;
  product: string | null;
  tags: string[];
  url: string;
  publishedAt: Date;
  /** Alternative questions ("people also ask"): searched, and learned from. */
  questions?: string[];
}

export interface SearchHit {
  kind: DocumentKind;
  id: string;
  title: string;
  url: string;
  /** HTML-escaped text around the matches, each match in `<mark>`. */
  snippetHtml: string;
  score: number;
}

export interface SearchQuery {
  q: string;
  locale?: Locale;
  kind?: DocumentKind;
  categoryId?: string;
  product?: string;
  limit?: number;
  offset?: number;
  source: SearchSource;
  /** false: not logged even from a logged source (a second look the listening reports must not count twice). */
  log?: boolean;
}

export interface SearchResults { searchId: string | null; total: number; hits: SearchHit[] }
export interface Suggestion { kind: DocumentKind; id: string; title: string; url: string }
export interface ReportPeriod { days: number; limit: number }
export interface SearchReportRow { query: string; searches: number; averageResults: number; searchesWithClicks: number; lastSearchedAt: Date }
export interface SynonymGroup { id: string; locale: Locale; terms: string[]; createdAt: Date; updatedAt: Date }

/** Longer queries are cut here (the HTTP routes refuse them with a 400 first). */
export const MAX_QUERY_CHARS = 500;
/** The autoresponder hands in whole e-mails; their start says what they are about. */
const MAX_ANSWER_TEXT_CHARS = 8000;
const MAX_QUERY_TERMS = 32;
const MAX_ANSWER_TERMS = 24;
const MAX_LIMIT = 50;
const MAX_OFFSET = 1000;
/** Candidates the match query may select before its most common terms only score, not select. */
const CANDIDATE_BUDGET = 300;
/** Alternatives count a little less than what was typed. */
const SYNONYM_FACTOR = 0.8;
const TYPO_FACTOR = 0.7;
/**
 * The fusion of the learned ranker with the text score (README, "Ranking"), chosen on banking77's
 * training questions that are not in its articles (never on a test query): the learned ranker's
 * best 50 are scored; a document no query word matches joins the candidates only when the model
 * places it on the positive side; the text score, as a share of the best candidate's, weighs 0.4.
 */
const LEARNED_CANDIDATES = 50;
const LEARNED_ADMIT_ABOVE = 0;
const LEXICAL_WEIGHT = 0.4;
/** How long a node trusts what it read of a workspace's shared state: the model version (see `modelVersion`), synonyms, corpus size. */
const SHARED_STATE_TTL_MS = 5_000;
/** Clicked searches: each phrasing counts up to this many times, the most clicked 50 per document. */
const MAX_CLICK_REPEATS = 3;
const MAX_CLICKED_PER_DOCUMENT = 50;
/** bestAnswers: a hit is confident when it holds this share of the query's weight, or of its own title… */
const CONFIDENT_QUERY_COVERAGE = 0.5;
const CONFIDENT_TITLE_COVERAGE = 0.6;
/** …and scores at least this share of the best hit. */
const CONFIDENT_SHARE_OF_BEST = 0.4;

const Url = z.string().max(2048).refine((url) => (url.startsWith('/') && !url.startsWith('//')) || /^https?:\/\/[^\s]+$/i.test(url),
  'a path on this site (/kb/…) or an http(s) URL');
const DocumentInput = z.strictObject({
  kind: z.enum(DOCUMENT_KINDS),
  id: z.string().min(1).max(200),
  locale: z.enum(locales),
  title: z.string().trim().min(1).max(500),
  body: z.string().max(1_000_000),
  categoryId: z.string().max(200).nullable(),
  product: z.string().max(200).nullable(),
  tags: z.array(z.string().max(100)).max(50),
  url: Url,
  publishedAt: z.date(),
  questions: z.array(z.string().trim().min(1).max(300)).max(50).default([]),
});
const SynonymTerms = z.array(z.string().trim().min(1).max(60)).min(2).max(20);

interface PlannedTerm extends WeightedTerm { lexeme: string; documents: number }
interface Plan {
  terms: PlannedTerm[];
  /** Every lexeme searched for, synonyms and corrections included: what the snippets mark. */
  lexemes: Set<string>;
  /** The weight of every distinct query lexeme, unknown ones counted as the rarest: what coverage is a share of. */
  queryWeight: number;
  averageLength: number;
}

/** A query with no word the help centre knows (a typo in every word, say): the learned ranker alone picks. */
const LEARNED_ONLY: Plan = { terms: [], lexemes: new Set(), queryWeight: 0, averageLength: 1 };

function invalid(error: z.ZodError, what: string): AppError {
  return validationFailed(`Invalid ${what}`, error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
}

/**
 * One search over help articles and forum topics, in Chinese and English: see README.md. Text
 * relevance is IDF-weighted per-term ts_rank (title above body, saturating in term frequency,
 * length-normalised), multiplied by learned usefulness.
 */
export class SearchService {
  /** Each workspace's learned ranker as last loaded, by version: reloaded when a training replaces it. */
  private readonly rankers = new Map<string, { version: number; ranker: Promise<LearnedRanker> }>();
  /** Each workspace's stored model version (undefined: none of this format) and when it was read. */
  private readonly modelVersions = new Map<string, { readAt: number; version: Promise<number | undefined> }>();

  /**
   * The synonym groups and the corpus' size, kept briefly per node (core/workspace-cache.ts): every
   * search and every acknowledgement's suggested answers read both (issue 15), and they change
   * rarely or little. This node forgets them when it changes them; other nodes' searches see a
   * change within SHARED_STATE_TTL_MS (idf from a corpus a few documents off ranks the same).
   */
  private readonly synonymGroups = new WorkspaceCache(SHARED_STATE_TTL_MS, (workspaceId) => this.repo.synonyms(workspaceId));
  private readonly corpusSizes = new WorkspaceCache(SHARED_STATE_TTL_MS, (workspaceId) => this.repo.corpus(workspaceId));

  /** Training takes seconds of CPU at a time: in a thread of its own, off the event loop that answers searches. */
  private readonly trainer = new OffThread<RankerTraining, TrainedRanker | undefined>(besideCaller(import.meta.url, 'search.train-thread'));

  constructor(private readonly repo: SearchRepo, private readonly clock: Clock) {}

  /** Adds or replaces a document (idempotent). */
  async index(workspaceId: string, doc: SearchDocument): Promise<void> {
    await this.repo.upsert(workspaceId, this.row(doc));
    this.corpusSizes.forget(workspaceId);
  }

  /**
   * Many new documents at once (existing ids are left as they are), then the statistics recounted
   * in one pass: imports, the evaluation, the benchmark. Loading in several calls, pass
   * `recount: false` to all but the last.
   */
  async indexMany(workspaceId: string, docs: SearchDocument[], options: { recount?: boolean } = {}): Promise<void> {
    await this.repo.insertMany(workspaceId, docs.map((doc) => this.row(doc)));
    if (options.recount !== false) await this.repo.recountStatistics(workspaceId);
    this.corpusSizes.forget(workspaceId);
  }

  async remove(workspaceId: string, kind: DocumentKind, id: string): Promise<void> {
    await this.repo.remove(workspaceId, kind, id);
    this.corpusSizes.forget(workspaceId);
  }

  async search(workspaceId: string, q: SearchQuery): Promise<SearchResults> {
    const text = clean(q.q).slice(0, MAX_QUERY_CHARS).trim();
    const limit = clamp(q.limit ?? 10, 1, MAX_LIMIT);
    const offset = clamp(q.offset ?? 0, 0, MAX_OFFSET);
    const [plan, learned] = text ? await Promise.all([this.plan(workspaceId, text, q.locale, MAX_QUERY_TERMS), this.learned(workspaceId, text)]) : [];
    const filters = { locale: q.locale, kind: q.kind, categoryId: q.categoryId, product: q.product };
    const planned = plan ?? (learned && LEARNED_ONLY);
    const rows = planned ? await this.rankAligned(workspaceId, text, planned, { ...filters, limit, offset, useUsefulness: true, learned }) : [];
    const hits = rows.map((row) => this.hit(row, planned!.lexemes));
    const total = rows[0]?.total ?? 0;
    const searchId = text && q.log !== false && LOGGED_SOURCES.has(q.source)
      ? await this.repo.logSearch(workspaceId, {
        query: text, normalised: text.toLowerCase().replace(/\s+/g, ' ').slice(0, 200), locale: q.locale ?? null, source: q.source,
        results: total, hitKeys: hits.map((h) => hitKey(h.kind, h.id)), pageOffset: offset, at: this.clock.now(),
      })
      : null;
    return { searchId, total, hits };
  }

  /** Relevance only (text and the learned ranker), no usefulness, nothing logged: the evaluation's view of the engine. */
  async searchText(workspaceId: string, text: string, locale: Locale | undefined, limit: number): Promise<SearchHit[]> {
    const query = clean(text).slice(0, MAX_QUERY_CHARS).trim();
    const [plan, learned] = await Promise.all([this.plan(workspaceId, query, locale, MAX_QUERY_TERMS), this.learned(workspaceId, query)]);
    const planned = plan ?? (learned && LEARNED_ONLY);
    if (!planned) return [];
    const rows = await this.rankAligned(workspaceId, query, planned, { locale, limit, offset: 0, useUsefulness: false, learned });
    return rows.map((row) => this.hit(row, planned.lexemes));
  }

  /** Titles as the user types: every finished word in the title, the last one starting a title word. */
  async suggest(workspaceId: string, q: string, locale: Locale, limit = 8): Promise<Suggestion[]> {
    const typed = normalise(q.slice(0, 100));
    const exact = prefixQuery(typed, 'as typed');
    if (!exact) return [];
    const count = clamp(limit, 1, 20);
    let rows = await this.repo.suggest(workspaceId, exact, locale, count);
    // Nothing starts with the half-typed word as typed: its stem and shorter forms, then typos
    // corrected against the workspace's vocabulary (a small table).
    const loose = prefixQuery(typed, 'loose')!;
    if (!rows.length && loose !== exact) rows = await this.repo.suggest(workspaceId, loose, locale, count);
    if (!rows.length) {
      const corrected = await this.correctWords(workspaceId, typed);
      if (corrected !== typed) rows = await this.repo.suggest(workspaceId, prefixQuery(corrected, 'as typed') ?? loose, locale, count);
    }
    return rows.map((r) => ({ kind: r.kind, id: r.document_id, title: r.title, url: r.url }));
  }

  /**
   * The few documents that clearly answer a longer text (an e-mail, a chat message), or none:
   * its most telling terms are searched, and only hits holding enough of them are returned.
   */
  async bestAnswers(workspaceId: string, text: string, locale: Locale, limit = 3): Promise<SearchHit[]> {
    const plan = await this.plan(workspaceId, clean(text).slice(0, MAX_ANSWER_TEXT_CHARS), locale, MAX_ANSWER_TERMS);
    if (!plan) return [];
    const rows = await this.rank(workspaceId, plan, { locale, limit: clamp(limit, 1, 10) * 3, offset: 0, useUsefulness: true });
    const best = rows[0]?.score ?? 0;
    return rows
      .filter((row) => row.score >= best * CONFIDENT_SHARE_OF_BEST && (row.matchedWeight / plan.queryWeight >= CONFIDENT_QUERY_COVERAGE || titleCoverage(row.title, plan.lexemes) >= CONFIDENT_TITLE_COVERAGE))
      .slice(0, clamp(limit, 1, 10))
      .map((row) => this.hit(row, plan.lexemes));
  }

  /** A click on a hit of a logged search; the hit must have been in that search's results. */
  async recordClick(workspaceId: string, searchId: string, kind: DocumentKind, id: string): Promise<void> {
    await this.followHit(workspaceId, searchId, kind, id);
  }

  /** Records the click and returns where the hit lives (the portal's no-JavaScript result links). */
  async followHit(workspaceId: string, searchId: string, kind: DocumentKind, id: string): Promise<string> {
    const search = isUuid(searchId) ? await this.repo.findSearch(workspaceId, searchId) : undefined;
    if (!search) throw notFound('search');
    const url = search.hit_keys.includes(hitKey(kind, id)) ? await this.repo.documentUrl(workspaceId, kind, id) : undefined;
    if (!url) throw searchErrors.searchHitNotFound('That document was not among the results of this search');
    await this.repo.recordClick(workspaceId, searchId, kind, id, this.clock.now());
    return url;
  }

  async recordUsefulness(workspaceId: string, kind: DocumentKind, id: string, signal: UsefulnessSignal): Promise<void> {
    await this.repo.recordSignal(workspaceId, kind, id, signal);
  }

  async usefulness(workspaceId: string, kind: DocumentKind, id: string) {
    return this.repo.usefulness(workspaceId, kind, id);
  }

  /** Listening: what people search for most. */
  topSearches(workspaceId: string, period: ReportPeriod): Promise<SearchReportRow[]> {
    return this.report(workspaceId, period, 'all');
  }

  /** Listening: content gaps, searches that found nothing. */
  searchesWithoutResults(workspaceId: string, period: ReportPeriod): Promise<SearchReportRow[]> {
    return this.report(workspaceId, period, 'no_results');
  }

  /** Listening: searches that found something nobody opened. */
  searchesWithoutClicks(workspaceId: string, period: ReportPeriod): Promise<SearchReportRow[]> {
    return this.report(workspaceId, period, 'no_clicks');
  }

  async synonyms(workspaceId: string, locale?: Locale): Promise<SynonymGroup[]> {
    return (await this.repo.synonyms(workspaceId, locale)).map(synonymView);
  }

  async addSynonym(workspaceId: string, input: { locale: Locale; terms: string[] }): Promise<SynonymGroup> {
    const row = await this.repo.addSynonym(workspaceId, input.locale, checkTerms(input.terms));
    this.synonymGroups.forget(workspaceId);
    return synonymView(row);
  }

  async updateSynonym(workspaceId: string, id: string, patch: { locale?: Locale; terms?: string[] }): Promise<SynonymGroup> {
    const row = isUuid(id)
      ? await this.repo.updateSynonym(workspaceId, id, { ...patch, ...(patch.terms ? { terms: checkTerms(patch.terms) } : {}) })
      : undefined;
    if (!row) throw notFound('synonym');
    this.synonymGroups.forget(workspaceId);
    return synonymView(row);
  }

  async removeSynonym(workspaceId: string, id: string): Promise<void> {
    if (!isUuid(id) || !await this.repo.removeSynonym(workspaceId, id)) throw notFound('synonym');
    this.synonymGroups.forget(workspaceId);
  }

  /**
   * Trains the workspace's learned ranker on its documents (title, alternative questions, body
   * sentences) and the searches after which each was opened, and stores it as a new version; with
   * fewer than two documents to tell apart, the stored model is removed. Durable jobs call it after
   * publishes (only the documents that changed are trained again, see LearnedRanker.train) and
   * nightly with `full` (everything, the vocabulary too) (search.jobs.ts).
   */
  async train(workspaceId: string, options: { full?: boolean } = {}): Promise<{ version: number; documents: number; examples: number; retrained: number; trainingMs: number } | undefined> {
    const started = performance.now();
    const readAt = this.clock.now();
    const { documents, clicked } = await this.repo.trainingDocuments(workspaceId);
    const asked = new Map<string, string[]>();
    for (const click of clicked) {
      const key = hitKey(click.kind, click.document_id);
      const list = asked.get(key) ?? [];
      if (list.length < MAX_CLICKED_PER_DOCUMENT * MAX_CLICK_REPEATS) list.push(...Array<string>(Math.min(click.clicks, MAX_CLICK_REPEATS)).fill(click.query));
      asked.set(key, list);
    }
    const training = documents.map((d): TrainingDocument => {
      const key = hitKey(d.kind, d.document_id);
      return { key, title: d.title, questions: d.questions, body: d.body, asked: asked.get(key) ?? [] };
    });
    const learnedFrom = digestOf(training);
    // Nothing new to learn (a restart's queued training, a publish that changed no text): the
    // training thread is not started, nor its memory taken. The nightly full training still runs.
    const summary = await this.repo.modelSummary(workspaceId);
    const kept = (model: { version: number; documents: number; examples: number }) =>
      ({ version: model.version, documents: model.documents, examples: model.examples, retrained: 0, trainingMs: Math.round(performance.now() - started) });
    if (!options.full && summary?.format === RANKER_FORMAT && summary.learned_from === learnedFrom) return kept(summary);
    const stored = options.full || summary?.format !== RANKER_FORMAT ? undefined : await this.repo.model(workspaceId);
    const trained = await this.trainer.run({ documents: training, previous: stored?.format === RANKER_FORMAT ? stored.model : undefined });
    if (!trained) {
      await this.repo.removeModel(workspaceId);
      this.modelVersions.set(workspaceId, { readAt: this.clock.now().getTime(), version: Promise.resolve(undefined) });
      return undefined;
    }
    const trainingMs = Math.round(performance.now() - started);
    const version = await this.repo.saveModel(workspaceId, {
      format: RANKER_FORMAT, model: Buffer.from(trained.model.buffer, trained.model.byteOffset, trained.model.byteLength),
      documents: trained.documents, examples: trained.examples, training_ms: trainingMs, trained_at: readAt, learned_from: learnedFrom,
    });
    // A training that read the documents after this one did has been stored meanwhile: it stands
    // (unless the model has since been removed: then this training's is not stored either).
    if (version === undefined) {
      const standing = await this.repo.modelSummary(workspaceId);
      return standing && kept(standing);
    }
    // After the write, so a search reading the version in between keeps the new one, not the old;
    // the next search loads it (the old one is let go now, not when that search comes).
    this.modelVersions.set(workspaceId, { readAt: this.clock.now().getTime(), version: Promise.resolve(version) });
    this.rankers.delete(workspaceId);
    return { version, documents: trained.documents, examples: trained.examples, retrained: trained.retrained, trainingMs };
  }

  /** Workspaces with documents to learn from: the nightly training's list. */
  workspacesToTrain(): Promise<string[]> {
    return this.repo.workspacesToTrain();
  }

  /** The learned ranker's best documents for a query, or undefined while the workspace has no model (of this format). */
  private async learned(workspaceId: string, text: string): Promise<LearnedCandidates | undefined> {
    const version = await this.modelVersion(workspaceId);
    if (version === undefined) return undefined;
    const hits = (await this.ranker(workspaceId, version)).top(text, LEARNED_CANDIDATES);
    if (!hits.length) return undefined;
    const keys = hits.map((h) => splitKey(h.key));
    return {
      kinds: keys.map((k) => k.kind), ids: keys.map((k) => k.id), scores: hits.map((h) => h.score),
      floor: hits.at(-1)!.score, admitAbove: LEARNED_ADMIT_ABOVE, lexicalWeight: LEXICAL_WEIGHT,
    };
  }

  /** The workspace's stored model of that version, loaded once per node and version. */
  private ranker(workspaceId: string, version: number): Promise<LearnedRanker> {
    let cached = this.rankers.get(workspaceId);
    if (cached?.version !== version) {
      // The promise is cached, so concurrent searches load a new model once.
      const ranker = this.repo.model(workspaceId).then((row) => {
        if (!row) throw new Error('search model vanished while loading');
        return LearnedRanker.fromBytes(row.model);
      });
      cached = { version, ranker };
      this.rankers.set(workspaceId, cached);
      ranker.catch(() => this.rankers.delete(workspaceId));
    }
    return cached.ranker;
  }

  /**
   * The stored model's version, read at most once per SHARED_STATE_TTL_MS: a training on another
   * node reaches this one's searches within that time, and a search waits for one statement fewer
   * (it was one of four a search sends before it can rank). A training on this node is seen at once.
   */
  private modelVersion(workspaceId: string): Promise<number | undefined> {
    const now = this.clock.now().getTime();
    const known = this.modelVersions.get(workspaceId);
    if (known && now - known.readAt < SHARED_STATE_TTL_MS) return known.version;
    const version = this.repo.modelVersion(workspaceId).then((stored) => (stored?.format === RANKER_FORMAT ? stored.version : undefined));
    this.modelVersions.set(workspaceId, { readAt: now, version });
    version.catch(() => this.modelVersions.delete(workspaceId));
    return version;
  }

  /** `typed` with each unknown longer word replaced by the nearest known term (an edit or two away). */
  private async correctWords(workspaceId: string, typed: string): Promise<string> {
    const words = runsOf(typed).flatMap((run) => {
      const lexeme = run.kind === 'word' ? wordLexeme(run.text) : undefined;
      return lexeme && isCorrectable(lexeme) ? [{ ...run, lexeme }] : [];
    });
    const { documents: known, nearest } = await this.repo.termStatistics(workspaceId, words.map((w) => w.lexeme), isCorrectable);
    let corrected = typed;
    for (const word of words.reverse()) {
      if (known.has(word.lexeme)) continue;
      const replacement = nearest.get(word.lexeme)?.find((c) => withinTypoDistance(word.lexeme, c.term));
      if (replacement) corrected = `${corrected.slice(0, word.start)}${replacement.term}${corrected.slice(word.start + word.text.length)}`;
    }
    return corrected;
  }

  private report(workspaceId: string, period: ReportPeriod, only: 'all' | 'no_results' | 'no_clicks') {
    const since = new Date(this.clock.now().getTime() - clamp(period.days, 1, 366) * 86_400_000);
    return this.repo.searchReport(workspaceId, since, clamp(period.limit, 1, 200), only);
  }

  private row(doc: SearchDocument) {
    const parsed = DocumentInput.safeParse({ ...doc, title: clean(doc.title), body: clean(doc.body) });
    if (!parsed.success) throw invalid(parsed.error, 'search document');
    const d = parsed.data;
    const indexed = indexText(d.title, d.body, d.questions);
    return {
      kind: d.kind, document_id: d.id, locale: d.locale, title: d.title, questions: d.questions, body: d.body, category_id: d.categoryId, product: d.product,
      tags: d.tags, url: d.url, published_at: d.publishedAt, vector: indexed.vector, title_vector: indexed.titleVector, length: indexed.length,
      lexemes: indexed.lexemes,
    };
  }

  /** The query's terms with their weights: IDF from the workspace's statistics, synonyms added, unknown words corrected. */
  private async plan(workspaceId: string, text: string, locale: Locale | undefined, maxTerms: number): Promise<Plan | undefined> {
    const counts = new Map<string, number>();
    for (const lexeme of analyse(text)) counts.set(lexeme, (counts.get(lexeme) ?? 0) + 1);
    if (!counts.size) return undefined;
    // The synonym groups are cached, so the alternatives are known before any statement: the
    // statistics of the query's lexemes and of the alternatives, and the known terms near the
    // query's unknown words, come in one statement (issue 15).
    const [groups, corpus] = await Promise.all([this.synonymGroups.get(workspaceId), this.corpusSizes.get(workspaceId)]);
    const alternatives = expandSynonyms(new Set(counts.keys()), locale ? groups.filter((g) => g.locale === locale) : groups);
    const { documents: frequencies, nearest } = await this.repo.termStatistics(workspaceId, [...counts.keys(), ...alternatives], (lexeme) => counts.has(lexeme) && isCorrectable(lexeme));
    const idf = (documents: number) => Math.log(1 + (corpus.documents - Math.min(documents, corpus.documents) + 0.5) / (documents + 0.5));
    const terms = new Map<string, PlannedTerm>();
    const add = (lexeme: string, documents: number, factor: number, prefix = false) => {
      const weight = idf(documents) * factor;
      const query = `${quoteLexeme(lexeme)}${prefix ? ':*' : ''}`;
      if (weight > (terms.get(lexeme)?.weight ?? 0)) terms.set(lexeme, { lexeme, query, weight, documents });
    };
    let queryWeight = 0;
    for (const [lexeme, count] of counts) {
      const documents = frequencies.get(lexeme);
      const factor = 1 + 0.5 * Math.log(count);
      queryWeight += idf(documents ?? 0) * factor;
      if (documents !== undefined) add(lexeme, documents, factor);
      // A lone Chinese character is no lexeme of its own: it matches the words and bigrams it starts.
      else if (/^\p{Script=Han}$/u.test(lexeme)) add(lexeme, CANDIDATE_BUDGET, factor, true);
      else if (isCorrectable(lexeme)) {
        const corrected = nearest.get(lexeme)?.find((c) => withinTypoDistance(lexeme, c.term));
        if (corrected) add(corrected.term, corrected.documents, factor * TYPO_FACTOR);
      }
    }
    for (const lexeme of alternatives) {
      const documents = frequencies.get(lexeme);
      if (documents !== undefined && !counts.has(lexeme)) add(lexeme, documents, SYNONYM_FACTOR);
    }
    const chosen = [...terms.values()].sort((a, b) => b.weight - a.weight).slice(0, maxTerms);
    if (!chosen.length) return undefined;
    return { terms: chosen, lexemes: new Set([...counts.keys(), ...chosen.map((t) => t.lexeme)]), averageLength: corpus.averageLength, queryWeight };
  }

  private async rank(workspaceId: string, plan: Plan, q: Omit<RankedQuery, 'match' | 'terms' | 'averageLength'>): Promise<RankedRow[]> {
    const base = { ...q, terms: plan.terms, averageLength: plan.averageLength };
    if (!plan.terms.length) return this.repo.ranked(workspaceId, base);
    const { match, titleMatch, fallback } = matchQuery(plan.terms);
    if (titleMatch) {
      // Only common words: documents with them in the title are the best candidates, and the title
      // index finds them cheaply; the whole text is searched only when they do not fill the page.
      const titled = await this.repo.ranked(workspaceId, { ...base, titleMatch });
      if ((titled[0]?.total ?? 0) >= q.offset + q.limit) return titled;
    }
    const rows = await this.repo.ranked(workspaceId, { ...base, match, titleMatch });
    return rows.length || !fallback ? rows : this.repo.ranked(workspaceId, { ...base, match: fallback });
  }

  /**
   * `rank`, then the best ALIGNED_HITS re-ordered by how closely the query follows one of their
   * ways of asking (search.alignment.ts). A page starting within them is cut from the re-ordered
   * list, so pages never repeat or skip a hit.
   */
  private async rankAligned(workspaceId: string, text: string, plan: Plan, q: Omit<RankedQuery, 'match' | 'terms' | 'averageLength'>): Promise<RankedRow[]> {
    if (q.offset >= ALIGNED_HITS) return this.rank(workspaceId, plan, q);
    const rows = await this.rank(workspaceId, plan, { ...q, offset: 0, limit: Math.max(ALIGNED_HITS, q.offset + q.limit) });
    return alignTopHits(text, rows, (row) => [row.title, ...row.questions, ...bodyLines(row.body)]).slice(q.offset, q.offset + q.limit);
  }

  private hit(row: RankedRow, lexemes: ReadonlySet<string>): SearchHit {
    return {
      kind: row.kind, id: row.document_id, title: row.title, url: row.url, score: Math.round(row.score * 10_000) / 10_000,
      snippetHtml: snippet(row.body || row.title, lexemes),
    };
  }
}

/** The link a results page puts on a hit: through /search/go when the search was logged, so the click counts. */
export function clickUrl(searchId: string | null, hit: Pick<SearchHit, 'kind' | 'id' | 'url'>): string {
  if (!searchId) return hit.url;
  return `/search/go?${new URLSearchParams({ sid: searchId, kind: hit.kind, id: hit.id }).toString()}`;
}

const hitKey = (kind: DocumentKind, id: string) => `${kind}:${id}`;
const splitKey = (key: string) => {
  const at = key.indexOf(':');
  return { kind: key.slice(0, at) as DocumentKind, id: key.slice(at + 1) };
};
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, Number.isFinite(value) ? Math.trunc(value) : min));

/** Misspellings are looked for among longer non-Chinese words; short ones have too many neighbours. */
const isCorrectable = (lexeme: string) => lexeme.length >= 4 && /^[a-z]+$/.test(lexeme);

/** NUL and other control characters (except whitespace) cannot be stored and mean nothing. */
const clean = (text: string) => text.replace(/(?![\t\n\r])\p{Cc}/gu, ' ');

/**
 * Trigram similarity finds candidates; an edit distance (a swap of neighbours counting as one
 * edit) decides: one edit for words up to 5 letters, two above. So pritner → printer, not machin → macos.
 */
function withinTypoDistance(typed: string, known: string): boolean {
  const limit = typed.length <= 5 ? 1 : 2;
  if (Math.abs(typed.length - known.length) > limit) return false;
  const d = Array.from({ length: typed.length + 1 }, (_, i) => Array.from({ length: known.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= typed.length; i++) {
    for (let j = 1; j <= known.length; j++) {
      const cost = typed[i - 1] === known[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && typed[i - 1] === known[j - 2] && typed[i - 2] === known[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[typed.length]![known.length]! <= limit;
}

/**
 * The candidates: rare terms OR'ed, adding commoner ones while the documents they select stay
 * within budget (the commoner ones still score). When even the rarest is over budget (only common
 * words), the two rarest must both match, in the title first (see `rank`); should that find
 * nothing, the rarest alone (capped) is the fallback. Every term scores either way.
 */
function matchQuery(terms: PlannedTerm[]): { match: string; titleMatch?: string; fallback?: string } {
  const byRarity = [...terms].sort((a, b) => a.documents - b.documents);
  const chosen: string[] = [];
  let selected = 0;
  for (const term of byRarity) {
    if (chosen.length && selected + term.documents > CANDIDATE_BUDGET) break;
    chosen.push(term.query);
    selected += term.documents;
  }
  if (selected <= CANDIDATE_BUDGET) return { match: chosen.join(' | ') };
  const both = byRarity.slice(0, 2).map((t) => t.query).join(' & ');
  return { match: both, titleMatch: both, fallback: byRarity.length > 1 ? byRarity[0]!.query : undefined };
}

/**
 * A synonym group applies when every lexeme of one of its terms is in the query; the lexemes of
 * its other terms are then searched too.
 */
function expandSynonyms(query: ReadonlySet<string>, groups: SynonymRow[]): string[] {
  const added = new Set<string>();
  for (const group of groups) {
    const analysed = group.terms.map((term) => [...new Set(analyse(term))]).filter((lexemes) => lexemes.length);
    if (!analysed.some((lexemes) => lexemes.every((l) => query.has(l)))) continue;
    for (const lexemes of analysed) for (const lexeme of lexemes) if (!query.has(lexeme)) added.add(lexeme);
  }
  return [...added];
}

/**
 * As-you-type, against the title vector: every finished word's lexeme, the last word as a prefix:
 * `as typed`, or `loose` (also its stem and, from 7 letters, without its last two, so a half-typed
 * ending such as grindin or printin still finds grind, print). A last word of one letter would
 * match half the vocabulary and is left out until the next key.
 */
export function prefixQuery(typed: string, form: 'as typed' | 'loose'): string | undefined {
  const runs = runsOf(typed);
  const parts: string[] = [];
  runs.forEach((run, i) => {
    const last = i === runs.length - 1 && !/[\s\p{P}]$/u.test(typed);
    if (run.kind === 'han') {
      if (run.text.length === 1) parts.push(`${quoteLexeme(run.text)}:*`);
      for (let at = 0; at + 2 <= run.text.length; at++) parts.push(quoteLexeme(run.text.slice(at, at + 2)));
      return;
    }
    if (last) {
      if (run.text.length < 2) return;
      const variants = new Set([run.text, ...(form === 'loose' ? [wordLexeme(run.text) ?? run.text, ...(run.text.length >= 7 ? [run.text.slice(0, -2)] : [])] : [])]);
      const prefixes = [...variants].map((v) => `${quoteLexeme(v)}:*`);
      parts.push(prefixes.length > 1 ? `(${prefixes.join(' | ')})` : prefixes[0]!);
      return;
    }
    const lexeme = wordLexeme(run.text);
    if (lexeme) parts.push(quoteLexeme(lexeme));
  });
  return parts.length ? parts.join(' & ') : undefined;
}

function titleCoverage(title: string, lexemes: ReadonlySet<string>): number {
  const own = new Set(analyse(title));
  if (own.size < 2) return 0;
  return [...own].filter((l) => lexemes.has(l)).length / own.size;
}

function checkTerms(terms: string[]): string[] {
  const parsed = SynonymTerms.safeParse(terms);
  if (!parsed.success) throw invalid(parsed.error, 'synonym terms');
  const unique = [...new Map(parsed.data.map((t) => [t.toLowerCase(), t])).values()];
  if (unique.length < 2) throw validationFailed('A synonym group needs at least two different terms');
  const empty = unique.filter((t) => !analyse(t).length);
  if (empty.length) throw searchErrors.synonymTermEmpty('These terms have no searchable words (only stop-words or punctuation)', { terms: empty });
  return unique;
}

const synonymView = (row: SynonymRow): SynonymGroup => ({ id: row.id, locale: row.locale, terms: row.terms, createdAt: row.created_at, updatedAt: row.updated_at });

/** What a training learns from, as one digest (RANKER_FORMAT included: a new format learns again). */
function digestOf(training: TrainingDocument[]): string {
  const hash = createHash('sha256').update(`format ${RANKER_FORMAT}\n`);
  for (const document of training) hash.update(JSON.stringify(document)).update('\n');
  return hash.digest('hex');
}
