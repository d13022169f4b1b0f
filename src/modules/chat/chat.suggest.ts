import type { SearchService } from '../search/index.js';
import type { Suggest } from './chat.conversations.js';

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * Bot-first deflection: the search module's confident answers for what the visitor asked, as
 * plain text (the widget shows text, never HTML, so the snippet's `<mark>`s and escapes go).
 */
export function searchSuggestions(search: Pick<SearchService, 'bestAnswers'>): Suggest {
  return async (workspaceId, text, locale, limit) => (await search.bestAnswers(workspaceId, text, locale, limit)).map((hit) => ({
    articleId: hit.id,
    title: hit.title,
    snippet: hit.snippetHtml.replace(/<\/?mark>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity),
    url: hit.url,
  }));
}
