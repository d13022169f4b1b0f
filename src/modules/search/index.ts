/** The search module's public surface and manifest: what other modules and the platform may use. See README.md. */
import { defineModule } from '../../core/module.js';
import { queueTraining, registerSearchWorkers } from './search.jobs.js';
import { searchRoutes } from './search.routes.js';
import type { SearchService } from './search.service.js';

export {
  SearchService, clickUrl, MAX_QUERY_CHARS,
  type SearchDocument, type SearchHit, type SearchQuery, type SearchResults, type Suggestion, type SynonymGroup, type SearchReportRow, type ReportPeriod,
} from './search.service.js';
export { searchRoutes } from './search.routes.js';
export { analyse, indexText } from './search.analyzer.js';
export { matchQuery, matchVector } from './search.match.js';
export { DOCUMENT_KINDS, SEARCH_SOURCES, USEFULNESS_SIGNALS, type DocumentKind, type SearchSource, type UsefulnessSignal, type SearchTables } from './search.schema.js';

export const searchModule = defineModule<{ search: SearchService }>({
  name: 'search',
  // /api/v1/search* for agents plus the portal's public /search/suggest and /search/go.
  pages: ({ services }) => [searchRoutes(services.search)],
  // The learned ranker is retrained after publishes (a minute's worth at once) and nightly.
  workers: ({ search }, jobs) => registerSearchWorkers(search, jobs),
  subscriptions: (_services, jobs) => ({ 'kb_article.published': (event) => queueTraining(jobs, event.workspaceId) }),
});
