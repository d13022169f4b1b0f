/** The help centre's front door and shared pages (home, language, sign-in links); the page shell is src/core/html/layout.ts. */
import { defineModule } from '../../core/module.js';
import type { AccountsService } from '../accounts/index.js';
import type { KbService } from '../kb/index.js';
import { portalRoutes } from './portal.routes.js';

export const portalModule = defineModule<{ accounts: AccountsService; kb: KbService }>({
  name: 'portal',
  pages: ({ services, config }) => [portalRoutes(services.accounts, services.kb, config.publicUrl)],
});

