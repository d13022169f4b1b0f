import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { Subscriptions } from './events/index.js';
import type { Locale } from './i18n/index.js';
import type { JobQueue } from './jobs/index.js';
import type { RecurringWork } from './jobs/recurring.js';

/**
 * What the platform needs from a module, declared once in the module's `index.ts` and listed in
 * `src/modules/index.ts`. The platform (app, workers, subscriptions, i18n, demo) loops over that
 * list, so adding a module edits its own folder and one line there. See docs/modules.md.
 *
 * `Needs` is the part of the platform's services the module uses (its ports); the platform's
 * services must satisfy every module's needs, which the type checker proves where the list is used.
 */
export interface ModuleManifest<Needs = unknown> {
  /** Lower-case, unique; part of every durable subscriber id (`${name}:${eventName}`). */
  name: string;
  /** API routes, registered under /api/v1 inside the request context (session, CSRF, workspace). */
  routes?: (context: ModuleContext<Needs>) => RoutePlugin[];
  /** Pages and routes that choose their own paths, inside the request context. */
  pages?: (context: ModuleContext<Needs>) => RoutePlugin[];
  /** Routes that authenticate themselves (tokens, HMAC, multipart before CSRF), outside the request context. */
  publicRoutes?: (context: ModuleContext<Needs>) => RoutePlugin[];
  /** Job handlers; registered only where the worker role runs. */
  workers?: (services: Needs, jobs: JobQueue) => Promise<void>;
  /**
   * Work repeated more often than a cron minute (deadlines of seconds), run on every node with the
   * web role, one run at a time per node (core/jobs/recurring.ts); minute-scale work is a scheduled job.
   */
  recurring?: (services: Needs) => RecurringWork[];
  /** At most one handler per event; each is subscribed as `${name}:${eventName}`. */
  subscriptions?: (services: Needs, jobs: JobQueue) => Subscriptions;
  /** Strings under the module's own key (`t('<namespace>.…')`), merged into the catalogues at start. */
  i18n?: ModuleCatalogues;
  /** Demo content for the demo workspace, run in list order after the workspace and people exist. */
  demo?: (services: Needs, world: DemoWorld) => Promise<void>;
  /** What the cross-workspace test creates in a workspace so it can try every route against another's ids. */
  tenancyFixture?: (services: Needs, workspace: { id: string; adminId: string }) => Promise<Record<string, string>>;
}

/** A Fastify plugin: zod-typed routes, or plain ones (raw bodies, redirects). */
export type RoutePlugin = FastifyPluginAsyncZod | FastifyPluginAsync;

export interface ModuleContext<Needs> {
  services: Needs;
  config: Config;
  /** Cookies are Secure when the public URL is https. */
  secureCookies: boolean;
  /** A new instance of the request context, for public routes that must run it in their own scope. */
  requestContext: () => RoutePlugin;
}

export type { Subscriptions };

export interface ModuleCatalogues {
  namespace: string;
  strings: Record<Locale, object>;
}

/** The demo workspace as the modules find it: its admin and agents exist. */
export interface DemoWorld {
  workspaceId: string;
  adminId: string;
  /** The two demo agents: Wang Lei (zh-CN), Emma Hughes (en). */
  agentIds: readonly [string, string];
}

/** Identity at run time; gives the manifest its type where the module is defined. */
export function defineModule<Needs>(manifest: ModuleManifest<Needs>): ModuleManifest<Needs> {
  return manifest;
}

/** The stable id of a module's subscriber to one event (durable subscribers are keyed by it). */
export const subscriberId = (module: Pick<ModuleManifest, 'name'>, eventName: string) => `${module.name}:${eventName}`;
