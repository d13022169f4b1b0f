/** The troubleshooting module's public face; see README.md. */
export { TroubleshootingRepo } from './troubleshooting.repo.js';
export { TroubleshootingService, noArticles, type TreeArticles, type ArticleLink, type NodeStats } from './troubleshooting.service.js';
export { troubleshootingRoutes } from './troubleshooting.routes.js';
export { troubleshootingPages } from './troubleshooting.pages.js';
export { seedTroubleshootingDemo } from './troubleshooting.demo.js';
export type { TroubleshootingTables, TreeNode, TreeRow } from './troubleshooting.schema.js';
