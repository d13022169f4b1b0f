/**
 * Every module of the platform, in order: the one shared file a new module edits (docs/modules.md).
 * Routes, workers, event subscriptions, i18n catalogues and demo data are taken from these
 * manifests. The order is the demo's: a module's demo may use what earlier modules seeded
 * (teams before tickets, the help centre before the troubleshooting trees that link it).
 */
import { accountsModule } from './accounts/index.js';
import { routingModule } from './routing/index.js';
import { ticketsModule } from './tickets/index.js';
import { slaModule } from './sla/index.js';
import { webhooksModule } from './webhooks/index.js';
import { searchModule } from './search/index.js';
import { kbModule } from './kb/index.js';
import { troubleshootingModule } from './troubleshooting/index.js';
import { mailModule } from './mail/index.js';
import { chatModule } from './chat/index.js';
import { customersModule } from './customers/index.js';
import { triageModule } from './triage/index.js';
import { portalModule } from './portal/index.js';

export const modules = [
  accountsModule,
  routingModule,
  ticketsModule,
  slaModule,
  webhooksModule,
  searchModule,
  kbModule,
  troubleshootingModule,
  mailModule,
  chatModule,
  customersModule,
  triageModule,
  portalModule,
] as const;
