import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Tenancy } from '../../core/tenancy.js';
import type { Locale } from '../../core/i18n/index.js';
import type { DB } from '../../core/db/database.js';
import { queryTemplate } from '../../core/db/query-template.js';
import type { DocumentKind, SearchDocumentsTable, SearchSource, UsefulnessSignal } from './search.schema.js';

/** A document as stored, with its distinct lexemes (for the per-workspace word statistics). */
export type DocumentRow = Omit<SearchDocumentsTable, 'workspace_id' | 'updated_at'> & { lexemes: string[] };

/** `query` is a tsquery literal of one lexeme (quoted; `:*` for a prefix). */
export interface WeightedTerm { query: string; weight: number }

export interface RankedQuery {
  /** tsquery literal choosing candidates on the whole text (GIN, capped); none: titles only. */
  match?: string;
  /** tsquery literal choosing candidates by their titles alone (the title index: exact, far smaller posting lists). */
  titleMatch?: string;
  /** Each term scores weight × ts_rank of it alone: IDF-weighted, saturating in term frequency, title above body. */
  terms: WeightedTerm[];
  averageLength: number;
  locale?: Locale;
  kind?: DocumentKind;
  categoryId?: string;
  product?: string;
  limit: number;
  offset: number;
  /** Learned usefulness multiplies the text score; the evaluation switches it off. */
  useUsefulness: boolean;
  /** The learned ranker's best documents for the query: candidates too, and half of the score (`fuse`). */
  learned?: LearnedCandidates;
}

/** The learned ranker's scores of its best documents, and the weight of the lexical score in the fusion. */
export interface LearnedCandidates {
  kinds: DocumentKind[];
  ids: string[];
  scores: number[];
  /** Documents below the list score this; learned scores count from it, so none is negative. */
  floor: number;
  /** Documents no query word matches join the candidates only with a learned score above this. */
  admitAbove: number;
  lexicalWeight: number;
}

export interface RankedRow {
  kind: DocumentKind;
  document_id: string;
  title: string;
  url: string;
  body: string;
  /** Alternative questions ("people also ask"). */
  questions: string[];
  score: number;
  /** The weight of the query terms the document contains: how much of the query it answers. */
  matchedWeight: number;
  total: number;
}

/** Title (A) above body (D); weights are listed D, C, B, A. */
const RANK_WEIGHTS = sql.lit('{0.35,0.35,0.35,1.0}');
/** Length normalisation (BM25's b): long documents do not win by sheer size. */
const LENGTH_B = 0.5;
/** Ranking cost is bounded: at most this many GIN candidates are scored… */
const MAX_CANDIDATES = 300;
/** …plus, for queries of common words only, this many whose titles hold the two rarest. */
const TITLE_CANDIDATES = 100;
/** Usefulness re-orders the best this many by text. */
const RERANK_WINDOW = 100;
const SUGGEST_CANDIDATES = 100;
/** Rows per multi-row statement: well under Postgres's 65,535 bind parameters. */
const BATCH = 500;

const batches = <T>(items: T[]): T[][] => Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));
const tsquery = (literal: string) => sql`${literal}::tsquery`;

/**
 * What a query needs of the vocabulary, in one statement (issue 15: it was three round trips per
 * search and per acknowledgement): each term's document count (`documents`, null when it occurs in
 * none), and for each `correctable` term in none up to five known terms nearest to it (`near`,
 * `near_documents`), nearest first: trigram similarity, GIN-backed by `%`. The lateral lookup is
 * gated on the term being correctable and unknown, so known terms cost no trigram scan. Rows of
 * one term come in the lateral's order, as the nested loop emits them.
 */
const TERM_STATISTICS = queryTemplate((db, { terms, correctable }: { terms: readonly string[]; correctable: readonly boolean[] }) => db
  .selectFrom(sql<{ term: string; correctable: boolean }>`unnest(${terms}::text[], ${correctable}::bool[])`.as<'typed'>(sql`typed(term, correctable)`))
  .leftJoin('search_terms as known', (join) => join.onRef('known.term', '=', 'typed.term').on('known.documents', '>', 0))
  .leftJoinLateral(
    (eb) => eb.selectFrom('search_terms as near').select(['near.term', 'near.documents'])
      .where('typed.correctable', '=', true).where('known.term', 'is', null)
      .where(sql<boolean>`near.term % typed.term`).where('near.documents', '>', 0)
      .orderBy(sql`similarity(near.term, typed.term)`, 'desc').orderBy('near.documents', 'desc').limit(5)
      .as('near'),
    (join) => join.onTrue(),
  )
  .select(['typed.term', 'known.documents', 'near.term as near', 'near.documents as near_documents']));

/** A known term close to a misspelt one, and in how many documents it occurs. */
export interface NearTerm { term: string; documents: number }

export class SearchRepo {
  /** `db` unscoped: only to list the workspaces whose models the nightly training renews. */
  constructor(private readonly tenancy: Tenancy<DB>, private readonly unscoped: Kysely<DB>) {}

  private db(workspaceId: string): Kysely<DB> {
    return this.tenancy.forWorkspace(workspaceId);
  }

  /** Upserts one document and moves the document-frequency statistics by what changed. */
  async upsert(workspaceId: string, doc: DocumentRow): Promise<void> {
    await this.db(workspaceId).transaction().execute(async (trx) => {
      const old = await trx.selectFrom('search_documents')
        .select([sql<string[]>`tsvector_to_array(vector)`.as('lexemes'), 'length'])
        .where('kind', '=', doc.kind).where('document_id', '=', doc.document_id)
        .forUpdate().executeTakeFirst();
      const { lexemes, ...row } = doc;
      const values = { ...row, vector: sql<string>`${doc.vector}::tsvector`, title_vector: sql<string>`${doc.title_vector}::tsvector`, updated_at: new Date() };
      await trx.insertInto('search_documents').values(values)
        .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'document_id']).doUpdateSet({ ...values }))
        .execute();
      const before = new Set(old?.lexemes ?? []);
      const after = new Set(lexemes);
      await adjustTerms(trx, lexemes.filter((l) => !before.has(l)), 1);
      await adjustTerms(trx, [...before].filter((l) => !after.has(l)), -1);
      await adjustCorpus(trx, old ? 0 : 1, doc.length - (old?.length ?? 0));
    });
  }

  async remove(workspaceId: string, kind: DocumentKind, documentId: string): Promise<boolean> {
    return this.db(workspaceId).transaction().execute(async (trx) => {
      const old = await trx.deleteFrom('search_documents').where('kind', '=', kind).where('document_id', '=', documentId)
        .returning([sql<string[]>`tsvector_to_array(vector)`.as('lexemes'), 'length']).executeTakeFirst();
      if (!old) return false;
      await adjustTerms(trx, old.lexemes, -1);
      await adjustCorpus(trx, -1, -old.length);
      return true;
    });
  }

  /** Bulk load: plain inserts; the caller recounts the statistics once at the end. */
  async insertMany(workspaceId: string, docs: DocumentRow[]): Promise<void> {
    const db = this.db(workspaceId);
    for (const batch of batches(docs)) {
      await db.insertInto('search_documents')
        .values(batch.map(({ lexemes: _lexemes, ...row }) => ({
          ...row, vector: sql<string>`${row.vector}::tsvector`, title_vector: sql<string>`${row.title_vector}::tsvector`, updated_at: new Date(),
        })))
        .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'document_id']).doNothing())
        .execute();
    }
  }

  /**
   * Recounts the term statistics from the documents (ts_stat). ts_stat takes its query as text, so
   * the workspace id is checked to be a uuid and written into it; nothing else is.
   */
  async recountStatistics(workspaceId: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(workspaceId)) throw new Error('workspace id must be a uuid');
    const documentsQuery = `select vector from search_documents where workspace_id = '${workspaceId}'`;
    await this.db(workspaceId).transaction().execute(async (trx) => {
      await trx.deleteFrom('search_terms').execute();
      await sql`insert into search_terms (workspace_id, term, documents)
        select ${workspaceId}::uuid, word, ndoc from ts_stat(${documentsQuery})`.execute(trx);
      const totals = await trx.selectFrom('search_documents')
        .select([sql<number>`count(*)::int`.as('documents'), sql<number>`coalesce(sum(length), 0)::bigint`.as('lexemes')])
        .executeTakeFirstOrThrow();
      await trx.insertInto('search_corpus').values(totals)
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet(totals)).execute();
    });
  }

  /** How many documents the workspace has, and their average length in lexemes. */
  async corpus(workspaceId: string): Promise<{ documents: number; averageLength: number }> {
    const corpus = await this.db(workspaceId).selectFrom('search_corpus').select(['documents', 'lexemes']).executeTakeFirst();
    const documents = corpus?.documents ?? 0;
    return { documents, averageLength: documents ? Number(corpus!.lexemes) / documents : 1 };
  }

  /**
   * In how many documents each of `terms` occurs (terms in none are left out of `documents`), and
   * for each term in none that `correctable` accepts, the known terms nearest to it, nearest first
   * (`nearest`; an empty list when none is near): one statement, however many terms.
   */
  async termStatistics(workspaceId: string, terms: string[], correctable: (term: string) => boolean): Promise<{ documents: Map<string, number>; nearest: Map<string, NearTerm[]> }> {
    const documents = new Map<string, number>();
    const nearest = new Map<string, NearTerm[]>();
    const unique = [...new Set(terms)];
    if (!unique.length) return { documents, nearest };
    const correctableTerms = new Set(unique.filter(correctable));
    const rows = await TERM_STATISTICS.rows(this.db(workspaceId), { terms: unique, correctable: unique.map((term) => correctableTerms.has(term)) });
    for (const row of rows) {
      if (row.documents !== null) {
        documents.set(row.term, row.documents);
      } else if (correctableTerms.has(row.term)) {
        const near = nearest.get(row.term) ?? [];
        if (row.near !== null) near.push({ term: row.near, documents: row.near_documents! });
        nearest.set(row.term, near);
      }
    }
    return { documents, nearest };
  }

  /**
   * Three steps: candidates from the GIN indexes (capped), their text scores (each tsvector read
   * once: `|| ''` detoasts it before the many ts_rank calls), then for the best few the usefulness
   * boost and the stored title, url and body.
   */
  async ranked(workspaceId: string, q: RankedQuery): Promise<RankedRow[]> {
    const db = this.db(workspaceId);
    const sum = (parts: RawBuilder<unknown>[]) => (parts.length ? sql.join(parts, sql` + `) : sql`0`);
    const score = sum(q.terms.map((t) => sql`${t.weight}::float8 * ts_rank(${RANK_WEIGHTS}, c.vector, ${tsquery(t.query)})`));
    const matched = sum(q.terms.map((t) => sql`case when c.vector @@ ${tsquery(t.query)} then ${t.weight}::float8 else 0 end`));
    const lengthNorm = sql`(${1 - LENGTH_B}::float8 + ${LENGTH_B}::float8 * c.length / ${Math.max(q.averageLength, 1)}::float8)`;
    const candidates = (where: RawBuilder<boolean>, cap: number) => {
      let query = db.selectFrom('search_documents as d')
        .select(['d.kind', 'd.document_id', 'd.length', sql<string>`d.vector || ''::tsvector`.as('vector')])
        .where(where);
      if (q.locale) query = query.where('d.locale', '=', q.locale);
      if (q.kind) query = query.where('d.kind', '=', q.kind);
      if (q.categoryId) query = query.where('d.category_id', '=', q.categoryId);
      if (q.product) query = query.where('d.product', '=', q.product);
      return db.selectFrom(query.limit(cap).as('capped')).selectAll();
    };
    const learned = q.learned;
    const learnedRows = learned && sql`unnest(${learned.kinds}::text[], ${learned.ids}::text[], ${learned.scores}::float8[])`;
    const byTitle = q.titleMatch ? candidates(sql<boolean>`d.title_vector @@ ${tsquery(q.titleMatch)}`, TITLE_CANDIDATES) : undefined;
    const byText = q.match ? candidates(sql<boolean>`d.vector @@ ${tsquery(q.match)}`, MAX_CANDIDATES) : undefined;
    const byModel = learned?.ids.length
      ? candidates(sql<boolean>`(d.kind, d.document_id) in (select l.kind, l.document_id from ${learnedRows} as l(kind, document_id, score) where l.score > ${learned.admitAbove})`, learned.ids.length)
      : undefined;
    const pool = [byTitle, byText, byModel].reduce((all, next) => (all && next ? all.union(next) : all ?? next));
    if (!pool) return [];
    const textScored = db.selectFrom(pool.as('c'))
      .select(['c.kind', 'c.document_id', sql<number>`(${score}) / ${lengthNorm}`.as('text_score'), sql<number>`${matched}`.as('matched_weight')]);
    // The fusion (README "Ranking"): the text score as a share of the best candidate's, weighted,
    // plus the learned score above the floor of the learned list.
    const learnedScore = learnedRows && sql<number>`coalesce((select l.score from ${learnedRows} as l(kind, document_id, score)
      where l.kind = t.kind and l.document_id = t.document_id), ${learned.floor}::float8)`;
    const relevance = learned && learnedScore
      ? sql<number>`${learned.lexicalWeight}::float8 * coalesce(t.text_score / nullif(max(t.text_score) over (), 0), 0)
        + ${1 - learned.lexicalWeight}::float8 * (${learnedScore} - ${learned.floor}::float8)`
      : sql<number>`t.text_score`;
    const scored = db.selectFrom(textScored.as('t'))
      .select(['t.kind', 't.document_id', relevance.as('text_score'), 't.matched_weight', sql<number>`count(*) over ()`.as('total')])
      .orderBy('text_score', 'desc').orderBy('t.document_id').limit(Math.max(RERANK_WINDOW, q.offset + q.limit));
    const boost = q.useUsefulness ? sql<number>`coalesce(u.boost, 1)` : sql<number>`1`;
    let ranked = db.selectFrom(scored.as('s'))
      .innerJoin('search_documents as d', (join) => join.onRef('d.kind', '=', 's.kind').onRef('d.document_id', '=', 's.document_id'))
      .select([
        's.kind', 's.document_id', 'd.title', 'd.url', 'd.body', 'd.questions', 's.total',
        sql<number>`s.text_score * ${boost}`.as('score'),
        's.matched_weight as matchedWeight',
      ]);
    if (q.useUsefulness) {
      ranked = ranked.leftJoin('search_usefulness as u', (join) => join.onRef('u.kind', '=', 's.kind').onRef('u.document_id', '=', 's.document_id'));
    }
    return ranked.orderBy('score', 'desc').orderBy('s.document_id').limit(q.limit).offset(q.offset).execute();
  }

  /** What the learned ranker learns from: every document's title, questions and body, and the searches after which it was opened. */
  async trainingDocuments(workspaceId: string) {
    const db = this.db(workspaceId);
    const [documents, clicked] = await Promise.all([
      db.selectFrom('search_documents').select(['kind', 'document_id', 'title', 'questions', 'body']).orderBy('kind').orderBy('document_id').execute(),
      db.selectFrom('search_clicks as c').innerJoin('search_queries as q', 'q.id', 'c.search_id')
        .select(['c.kind', 'c.document_id', sql<string>`min(q.query)`.as('query'), sql<number>`count(*)::int`.as('clicks')])
        .groupBy(['c.kind', 'c.document_id', 'q.normalised'])
        .orderBy('clicks', 'desc').orderBy(sql`min(q.query)`)
        .execute(),
    ]);
    return { documents, clicked };
  }

  async modelVersion(workspaceId: string): Promise<{ version: number; format: number } | undefined> {
    return this.db(workspaceId).selectFrom('search_models').select(['version', 'format']).executeTakeFirst();
  }

  async model(workspaceId: string) {
    return this.db(workspaceId).selectFrom('search_models').select(['version', 'format', 'model']).executeTakeFirst();
  }

  /** The stored model without its bytes: what it learned from, and its counts. */
  async modelSummary(workspaceId: string) {
    return this.db(workspaceId).selectFrom('search_models').select(['version', 'format', 'learned_from', 'documents', 'examples']).executeTakeFirst();
  }

  /**
   * Replaces the workspace's model unless the stored one learned from documents read later
   * (`trained_at`: when the training read them); returns the new version, undefined when not replaced.
   */
  async saveModel(workspaceId: string, row: { format: number; model: Buffer; documents: number; examples: number; training_ms: number; trained_at: Date; learned_from: string }): Promise<number | undefined> {
    const saved = await this.db(workspaceId).insertInto('search_models').values({ ...row, version: 1 })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ ...row, version: sql`search_models.version + 1` })
        .where('search_models.trained_at', '<=', row.trained_at))
      .returning('version').executeTakeFirst();
    return saved?.version;
  }

  async removeModel(workspaceId: string): Promise<void> {
    await this.db(workspaceId).deleteFrom('search_models').execute();
  }

  /** Workspaces with something to learn from (two documents or more): the nightly training's list. */
  async workspacesToTrain(): Promise<string[]> {
    const rows = await this.unscoped.selectFrom('search_corpus').select('workspace_id').where('documents', '>=', 2).orderBy('workspace_id').execute();
    return rows.map((r) => r.workspace_id);
  }

  /** As-you-type: titles matching `match` (a prefix query on the title index), the most useful first. */
  async suggest(workspaceId: string, match: string, locale: Locale, limit: number) {
    const db = this.db(workspaceId);
    const candidates = db.selectFrom('search_documents as d')
      .select(['d.kind', 'd.document_id', 'd.title', 'd.url', 'd.title_vector'])
      .where(sql<boolean>`d.title_vector @@ ${tsquery(match)}`).where('d.locale', '=', locale)
      .limit(SUGGEST_CANDIDATES);
    return db.selectFrom(candidates.as('c'))
      .leftJoin('search_usefulness as u', (join) => join.onRef('u.kind', '=', 'c.kind').onRef('u.document_id', '=', 'c.document_id'))
      .select(['c.kind', 'c.document_id', 'c.title', 'c.url'])
      .orderBy(sql`ts_rank(c.title_vector, ${tsquery(match)}) / (1 + length(c.title_vector)) * coalesce(u.boost, 1)`, 'desc').orderBy('c.title')
      .limit(limit).execute();
  }

  /**
   * The log is statistics: its commit does not wait for the disk (synchronous_commit off for this
   * one statement's transaction), so a search never waits for an fsync; a crash may lose the last
   * few entries. One statement, one round trip; the workspace id is written explicitly because
   * the tenancy plugin scopes only builder queries.
   */
  async logSearch(workspaceId: string, entry: { query: string; normalised: string; locale: Locale | null; source: SearchSource; results: number; hitKeys: string[]; pageOffset: number; at: Date }): Promise<string> {
    const { rows } = await sql<{ id: string }>`
      with async_commit as (select set_config('synchronous_commit', 'off', true))
      insert into search_queries (workspace_id, query, normalised, locale, source, results, hit_keys, page_offset, created_at)
      select ${workspaceId}::uuid, ${entry.query}, ${entry.normalised}, ${entry.locale}, ${entry.source}, ${entry.results}, ${entry.hitKeys}::text[], ${entry.pageOffset}, ${entry.at}
      from async_commit
      returning id`.execute(this.db(workspaceId));
    return rows[0]!.id;
  }

  async findSearch(workspaceId: string, searchId: string) {
    return this.db(workspaceId).selectFrom('search_queries').select(['id', 'hit_keys']).where('id', '=', searchId).executeTakeFirst();
  }

  async documentUrl(workspaceId: string, kind: DocumentKind, documentId: string): Promise<string | undefined> {
    const row = await this.db(workspaceId).selectFrom('search_documents').select('url')
      .where('kind', '=', kind).where('document_id', '=', documentId).executeTakeFirst();
    return row?.url;
  }

  async recordClick(workspaceId: string, searchId: string, kind: DocumentKind, documentId: string, at: Date): Promise<void> {
    await this.db(workspaceId).transaction().execute(async (trx) => {
      await trx.insertInto('search_clicks').values({ search_id: searchId, kind, document_id: documentId, created_at: at }).execute();
      await bumpUsefulness(trx, kind, documentId, 'clicks');
    });
  }

  async recordSignal(workspaceId: string, kind: DocumentKind, documentId: string, signal: UsefulnessSignal): Promise<void> {
    const column = ({ view: 'views', helpful: 'helpful', unhelpful: 'unhelpful', ticket_after_read: 'tickets_after_read' } as const)[signal];
    await bumpUsefulness(this.db(workspaceId), kind, documentId, column);
  }

  async usefulness(workspaceId: string, kind: DocumentKind, documentId: string) {
    return this.db(workspaceId).selectFrom('search_usefulness').selectAll()
      .where('kind', '=', kind).where('document_id', '=', documentId).executeTakeFirst();
  }

  /** Searches grouped by their normalised text since `since`: how often, results, clicks. */
  async searchReport(workspaceId: string, since: Date, limit: number, only: 'all' | 'no_results' | 'no_clicks') {
    const db = this.db(workspaceId);
    let query = db.selectFrom('search_queries as s')
      .select([
        's.normalised as query',
        sql<number>`count(*)::int`.as('searches'),
        sql<number>`round(avg(s.results)::numeric, 1)::float8`.as('averageResults'),
        sql<number>`count(*) filter (where exists (select 1 from search_clicks k where k.search_id = s.id))::int`.as('searchesWithClicks'),
        sql<Date>`max(s.created_at)`.as('lastSearchedAt'),
      ])
      .where('s.created_at', '>=', since)
      .where('s.page_offset', '=', 0)
      .groupBy('s.normalised');
    if (only === 'no_results') query = query.where('s.results', '=', 0);
    if (only === 'no_clicks') {
      query = query.where('s.results', '>', 0)
        .having(sql<boolean>`count(*) filter (where exists (select 1 from search_clicks k where k.search_id = s.id)) = 0`);
    }
    return query.orderBy('searches', 'desc').orderBy('lastSearchedAt', 'desc').limit(limit).execute();
  }

  async synonyms(workspaceId: string, locale?: Locale) {
    let query = this.db(workspaceId).selectFrom('search_synonyms').selectAll();
    if (locale) query = query.where('locale', '=', locale);
    return query.orderBy('created_at').orderBy('id').execute();
  }

  async synonym(workspaceId: string, id: string) {
    return this.db(workspaceId).selectFrom('search_synonyms').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async addSynonym(workspaceId: string, locale: Locale, terms: string[]) {
    return this.db(workspaceId).insertInto('search_synonyms').values({ locale, terms }).returningAll().executeTakeFirstOrThrow();
  }

  async updateSynonym(workspaceId: string, id: string, patch: { locale?: Locale; terms?: string[] }) {
    return this.db(workspaceId).updateTable('search_synonyms').set({ ...patch, updated_at: new Date() })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }

  async removeSynonym(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.db(workspaceId).deleteFrom('search_synonyms').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

/** Sorted, so concurrent indexers take the term rows' locks in one order (no deadlocks). */
async function adjustTerms(trx: Transaction<DB>, terms: string[], delta: 1 | -1): Promise<void> {
  for (const batch of batches([...terms].sort())) {
    if (delta > 0) {
      await trx.insertInto('search_terms').values(batch.map((term) => ({ term, documents: 1 })))
        .onConflict((oc) => oc.columns(['workspace_id', 'term']).doUpdateSet({ documents: sql`search_terms.documents + 1` }))
        .execute();
    } else {
      await trx.updateTable('search_terms').set({ documents: sql`documents - 1` }).where('term', 'in', batch).execute();
      await trx.deleteFrom('search_terms').where('documents', '<=', 0).where('term', 'in', batch).execute();
    }
  }
}

async function adjustCorpus(trx: Transaction<DB>, documents: number, lexemes: number): Promise<void> {
  await trx.insertInto('search_corpus').values({ documents: Math.max(documents, 0), lexemes: Math.max(lexemes, 0) })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({
      documents: sql`greatest(search_corpus.documents + ${documents}, 0)`,
      lexemes: sql`greatest(search_corpus.lexemes + ${lexemes}, 0)`,
    }))
    .execute();
}

type Counter = 'views' | 'helpful' | 'unhelpful' | 'clicks' | 'tickets_after_read';
async function bumpUsefulness(db: Kysely<DB>, kind: DocumentKind, documentId: string, column: Counter): Promise<void> {
  const increment: RawBuilder<number> = sql`search_usefulness.${sql.ref(column)} + 1`;
  await db.insertInto('search_usefulness').values({ kind, document_id: documentId, [column]: 1 })
    .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'document_id']).doUpdateSet({ [column]: increment }))
    .execute();
}
