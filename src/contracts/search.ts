import { z } from 'zod';
import { SEARCH_REPORTS } from './enums.js';
import { LocaleView, type Wire } from './http.js';

/**
 * Search on the wire (`/api/v1/search/…` and the portal's `/search/suggest`): the hits, the
 * listening reports and the synonym groups the search module's routes answer with, and the synonym
 * bodies they take. The console reads them as `Wire<…>`: times travel as ISO strings.
 */

export const DOCUMENT_KINDS = ['article', 'topic'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const HitView = z.object({
  kind: z.enum(DOCUMENT_KINDS), id: z.string(), title: z.string(), url: z.string(),
  snippetHtml: z.string().describe('HTML-escaped text around the matches, each match in <mark>'), score: z.number(),
});
export const SearchResultView = z.object({ searchId: z.string().nullable(), total: z.number(), hits: z.array(HitView) });
export const SuggestionView = z.object({ kind: z.enum(DOCUMENT_KINDS), id: z.string(), title: z.string(), url: z.string() });
export const SuggestionListView = z.object({ suggestions: z.array(SuggestionView) });
export const SynonymView = z.object({ id: z.string(), locale: LocaleView, terms: z.array(z.string()), createdAt: z.date(), updatedAt: z.date() });
export const SynonymListView = z.object({ synonyms: z.array(SynonymView) });
export const ReportView = z.object({
  period: z.object({ days: z.number() }),
  searches: z.array(z.object({ query: z.string(), searches: z.number(), averageResults: z.number(), searchesWithClicks: z.number(), lastSearchedAt: z.date() })),
});
export { SEARCH_REPORTS };
export type SearchReport = (typeof SEARCH_REPORTS)[number];

const Terms = z.array(z.string().trim().min(1).max(60)).min(2).max(20)
  .describe('Words or phrases that mean the same, e.g. ["卡纸", "夹纸", "paper jam"]');
export const NewSynonyms = z.strictObject({ locale: LocaleView, terms: Terms });
export const SynonymsPatch = z.strictObject({ locale: LocaleView.optional(), terms: Terms.optional() });

export type SynonymWire = Wire<z.infer<typeof SynonymView>>;
export type SynonymListWire = Wire<z.infer<typeof SynonymListView>>;
export type ReportWire = Wire<z.infer<typeof ReportView>>;
export type SearchRowWire = ReportWire['searches'][number];
export type NewSynonymsBody = z.input<typeof NewSynonyms>;
export type SynonymsPatchBody = z.input<typeof SynonymsPatch>;
