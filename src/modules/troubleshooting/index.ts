/** The troubleshooting module's public face and manifest; see README.md. */
import { defineModule } from '../../core/module.js';
import { en, zhCN } from './troubleshooting.i18n.js';
import { seedTroubleshootingDemo } from './troubleshooting.demo.js';
import { troubleshootingPages } from './troubleshooting.pages.js';
import { troubleshootingRoutes } from './troubleshooting.routes.js';
import type { TroubleshootingService } from './troubleshooting.service.js';

export { TroubleshootingService, noArticles, type TreeArticles, type ArticleLink, type NodeStats } from './troubleshooting.service.js';
export { troubleshootingRoutes } from './troubleshooting.routes.js';
export { troubleshootingPages } from './troubleshooting.pages.js';
export { seedTroubleshootingDemo } from './troubleshooting.demo.js';
export type { TroubleshootingTables, TreeNode, TreeRow } from './troubleshooting.schema.js';

interface TroubleshootingNeeds {
  troubleshooting: TroubleshootingService;
  /** The demo's solutions link the demo help centre's articles. */
  kb: { publishedArticle(workspaceId: string, slug: string): Promise<{ article: { id: string } }> };
}

export const troubleshootingModule = defineModule<TroubleshootingNeeds>({
  name: 'troubleshooting',
  i18n: { namespace: 'trees', strings: { en, 'zh-CN': zhCN } },
  routes: ({ services }) => [troubleshootingRoutes(services.troubleshooting)],
  pages: ({ services }) => [troubleshootingPages(services.troubleshooting)],
  demo: async ({ troubleshooting, kb }, { workspaceId }) => {
    await seedTroubleshootingDemo(troubleshooting, workspaceId, { type: 'system', id: null },
      (slug) => kb.publishedArticle(workspaceId, slug).then((a) => a.article.id, () => undefined));
  },
});
