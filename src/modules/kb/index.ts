/** The knowledge base module's public face and manifest; see README.md. */
import { defineModule } from '../../core/module.js';
import { en, zhCN } from './kb.i18n.js';
import type { AccountsService } from '../accounts/index.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import { seedKbDemo } from './kb.demo.js';
import { registerKbWorkers } from './kb.jobs.js';
import { kbOneClickUnsubscribe, kbPages } from './kb.pages.js';
import { kbRoutes } from './kb.routes.js';
import type { KbSearch } from './kb.search.js';
import type { KbService } from './kb.service.js';

export { KbService, articleUrl, type MessageSource, type NewArticle, type NewCategory } from './kb.service.js';
export { kbRoutes } from './kb.routes.js';
export { kbPages, kbOneClickUnsubscribe } from './kb.pages.js';
export { registerKbWorkers } from './kb.jobs.js';
export { kbCustomerEraser, kbCustomerMover } from './kb.sources.js';
export { seedKbDemo } from './kb.demo.js';
export type { KbSearch } from './kb.search.js';
export type { KbTables } from './kb.schema.js';

interface KbNeeds {
  kb: KbService;
  search: Parameters<typeof seedKbDemo>[0]['search'] & KbSearch;
  accounts: AccountsService;
  attachments: AttachmentStore;
}

export const kbModule = defineModule<KbNeeds>({
  name: 'kb',
  i18n: { namespace: 'kb', strings: { en, 'zh-CN': zhCN } },
  routes: ({ services }) => [kbRoutes(services.kb, services.attachments)],
  pages: ({ services, config }) => [kbPages({
    kb: services.kb, store: services.attachments, publicUrl: config.publicUrl, votesPer15Min: config.publicPostsPer15Min,
  })],
  // RFC 8058 one-click unsubscribe: mail clients post without cookies or CSRF token; the URL's token is the proof.
  publicRoutes: ({ services }) => [kbOneClickUnsubscribe(services.kb, services.accounts)],
  workers: ({ kb }, jobs) => registerKbWorkers(kb, jobs),
  demo: ({ kb, search }, world) => seedKbDemo({ kb, search }, world.workspaceId, world.adminId),
});

export { categoryName, pageHead, searchBox } from './kb.pages.js';
