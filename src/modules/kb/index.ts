/** The knowledge base module's public face; see README.md. */
export { KbRepo } from './kb.repo.js';
export { KbService, articleUrl, type MessageSource, type NewArticle, type NewCategory } from './kb.service.js';
export { kbRoutes } from './kb.routes.js';
export { kbPages, kbOneClickUnsubscribe } from './kb.pages.js';
export { registerKbWorkers } from './kb.jobs.js';
export { seedKbDemo } from './kb.demo.js';
export type { KbSearch } from './kb.search.js';
export type { KbTables } from './kb.schema.js';
export { ticketMessageSource } from './kb.messages.js';
