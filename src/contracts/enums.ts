/**
 * The contracts' value lists, with no zod import: a client bundle (the console, the widget) imports
 * them from here without pulling zod in; the schemas in the other contract files are built on them.
 */

/** The languages content and agents come in (the core's `locales` is this list). */
export const LOCALES = ['zh-CN', 'en'] as const;
/** The listening reports, each at `/api/v1/search/reports/<name>`. */
export const SEARCH_REPORTS = ['top', 'no-results', 'no-clicks'] as const;
export const NODE_KINDS = ['question', 'solution', 'repair'] as const;
export const OUTBOX_STATUSES = ['held', 'queued', 'sending', 'sent', 'failed'] as const;
