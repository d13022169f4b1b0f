/** The search module's public surface: what other modules and the wiring may import. See README.md. */
export {
  SearchService, clickUrl, MAX_QUERY_CHARS,
  type SearchDocument, type SearchHit, type SearchQuery, type SearchResults, type Suggestion, type SynonymGroup, type SearchReportRow, type ReportPeriod,
} from './search.service.js';
export { SearchRepo } from './search.repo.js';
export { searchRoutes } from './search.routes.js';
export { analyse, indexText } from './search.analyzer.js';
export { DOCUMENT_KINDS, SEARCH_SOURCES, USEFULNESS_SIGNALS, type DocumentKind, type SearchSource, type UsefulnessSignal, type SearchTables } from './search.schema.js';
