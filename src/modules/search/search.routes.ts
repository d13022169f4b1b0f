import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { locales } from '../../core/i18n/index.js';
import { requireAgent } from '../accounts/index.js';
import { MAX_QUERY_CHARS, type SearchService } from './search.service.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import {
  DOCUMENT_KINDS, NewSynonyms, ReportView, SearchResultView, SuggestionListView, SynonymListView, SynonymView, SynonymsPatch, type SearchReport,
} from '../../contracts/search.js';

const Locale = z.enum(locales);
const Query = z.string().max(MAX_QUERY_CHARS, `A search is at most ${MAX_QUERY_CHARS} characters`);
const TypedQuery = z.string().max(100, 'A suggestion query is at most 100 characters');

const ReportQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).default(30),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const REPORTS = {
  top: { summary: 'The most frequent searches', run: 'topSearches' },
  'no-results': { summary: 'Searches that found nothing: content gaps', run: 'searchesWithoutResults' },
  'no-clicks': { summary: 'Searches whose results nobody opened', run: 'searchesWithoutClicks' },
} as const satisfies Record<SearchReport, { summary: string; run: string }>;

/**
 * Agents (and API tokens) search and read the listening reports; editors and admins manage
 * synonyms. The portal's two public routes (suggestions, the click-through link) need no sign-in
 * and are rate-limited.
 */
export const searchRoutes = (search: SearchService): FastifyPluginAsyncZod => async (app) => {
  const agents = { preHandler: requireAgent() };
  const editors = { preHandler: requireAgent('editor', 'admin') };

  app.get('/api/v1/search', {
    ...agents,
    schema: {
      tags: ['search'], summary: 'Search help articles and forum topics (Chinese and English); logged for the listening reports',
      querystring: z.strictObject({
        q: Query,
        locale: Locale.optional(),
        kind: z.enum(DOCUMENT_KINDS).optional(),
        categoryId: z.string().max(200).optional(),
        product: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(50).default(10),
        offset: z.coerce.number().int().min(0).max(1000).default(0),
      }),
      response: { 200: SearchResultView, 400: ErrorView },
    },
  }, async (request) => search.search(request.workspace.id, { ...request.query, source: request.authVia === 'token' ? 'api' : 'console' }));

  app.get('/api/v1/search/suggest', {
    ...agents,
    schema: {
      tags: ['search'], summary: 'Titles matching what is being typed',
      querystring: z.strictObject({ q: TypedQuery, locale: Locale.optional(), limit: z.coerce.number().int().min(1).max(20).default(8) }),
      response: { 200: SuggestionListView, 400: ErrorView },
    },
  }, async (request) => ({ suggestions: await search.suggest(request.workspace.id, request.query.q, request.query.locale ?? request.locale, request.query.limit) }));

  for (const [path, report] of Object.entries(REPORTS)) {
    app.get(`/api/v1/search/reports/${path}`, {
      ...agents,
      schema: { tags: ['search'], summary: `${report.summary} (listening)`, querystring: ReportQuery, response: { 200: ReportView, 400: ErrorView } },
    }, async (request) => ({ period: { days: request.query.days }, searches: await search[report.run](request.workspace.id, request.query) }));
  }

  app.get('/api/v1/search/synonyms', {
    ...agents,
    schema: {
      tags: ['search'], summary: 'Synonym groups, applied to searches in their language',
      querystring: z.strictObject({ locale: Locale.optional() }),
      response: { 200: SynonymListView },
    },
  }, async (request) => ({ synonyms: await search.synonyms(request.workspace.id, request.query.locale) }));

  app.post('/api/v1/search/synonyms', {
    ...editors,
    schema: {
      tags: ['search'], summary: 'Add a synonym group (editor, admin)',
      body: NewSynonyms, response: { 201: SynonymView, 400: ErrorView },
    },
  }, async (request, reply) => reply.code(201).send(await search.addSynonym(request.workspace.id, request.body)));

  app.patch('/api/v1/search/synonyms/:id', {
    ...editors,
    schema: {
      tags: ['search'], summary: 'Change a synonym group (editor, admin)', params: IdParams,
      body: SynonymsPatch, response: { 200: SynonymView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => search.updateSynonym(request.workspace.id, request.params.id, request.body));

  app.delete('/api/v1/search/synonyms/:id', {
    ...editors,
    schema: { tags: ['search'], summary: 'Delete a synonym group (editor, admin)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await search.removeSynonym(request.workspace.id, request.params.id);
    return reply.code(204).send(null);
  });

  app.get('/search/suggest', {
    config: { rateLimit: { max: 300, timeWindow: '1 minute' } },
    schema: {
      tags: ['portal'], summary: 'Help-centre titles matching what a visitor is typing (public)',
      querystring: z.strictObject({ q: TypedQuery, locale: Locale.optional() }),
      response: { 200: SuggestionListView, 400: ErrorView },
    },
  }, async (request) => ({ suggestions: await search.suggest(request.workspace.id, request.query.q, request.query.locale ?? request.locale) }));

  app.get('/search/go', {
    config: { html: true, rateLimit: { max: 120, timeWindow: '1 minute' } },
    schema: {
      tags: ['portal'], summary: 'Follow a search result: records the click, then redirects (303) to the document (public)',
      querystring: z.strictObject({ sid: z.string().uuid(), kind: z.enum(DOCUMENT_KINDS), id: z.string().min(1).max(200) }),
    },
  }, async (request, reply) => {
    const url = await search.followHit(request.workspace.id, request.query.sid, request.query.kind, request.query.id);
    return reply.code(303).header('cache-control', 'no-store').redirect(url, 303);
  });
};
