import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Config } from './core/config.js';
import type { Database } from './core/db/database.js';
import type { Logger } from './core/logger.js';
import { RequestLog } from './core/http/request-log.js';
import { consoleDist, portalAssets, widgetDist } from './core/paths.js';
import { requestContext } from './transport/http/request-context.js';
import { platformModules, type PlatformModule, type Services } from './services.js';
import { layout } from './core/html/layout.js';
import { html } from './core/html/html.js';
import { refuseNulBytes } from './transport/http/input-hygiene.js';
import { requestIdOf, securityHeaders } from './transport/http/security-headers.js';
import { sendError, toErrorResponse } from './transport/http/errors.js';
import { chooseLocale, translator } from './core/i18n/index.js';

export interface AppDeps {
  config: Config;
  log: Logger;
  database: Database;
  services: Services;
  secret: string;
  /** Shared rate-limit counters across web nodes when Redis is configured. */
  redis?: Redis;
  /** Whose routes and pages are served; default every module (tests add throw-away ones). */
  modules?: readonly PlatformModule[];
}

export type HttpServer = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger, ZodTypeProvider>;

export interface AppRoute {
  method: string;
  url: string;
  /** The route's zod schemas (params, querystring, body), where it declares them. */
  schema?: { params?: unknown; querystring?: unknown; body?: unknown };
}

export interface App {
  http: HttpServer;
  /** Every route registered with its input schemas, for the cross-workspace test that must try them all. */
  routes: readonly AppRoute[];
  /** Set while shutting down: /readyz turns 503 so a load balancer stops sending traffic. */
  markDraining(): void;
}

function proxyHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** Builds the whole HTTP app; never listens (tests call `inject`, `main` calls `listen`). */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  const { accounts } = deps.services;
  const http = Fastify({
    loggerInstance: deps.log,
    // One line per request, at debug unless it failed or was slow.
    logController: new RequestLog(),
    bodyLimit: config.bodyLimitBytes,
    // A hop count as proxy-addr's trust function (Fastify's types name only the other forms).
    trustProxy: typeof config.trustProxy === 'number' ? proxyHops(config.trustProxy) : config.trustProxy,
    // The client's x-request-id only when it looks like one (security-headers.ts).
    requestIdHeader: false,
    genReqId: requestIdOf,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  const routes: AppRoute[] = [];
  http.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url, schema: route.schema });
  });
  http.addHook('onSend', async (request, reply) => { reply.header('x-request-id', request.id); });
  http.addHook('onSend', securityHeaders);
  http.addHook('preHandler', refuseNulBytes);
  http.setValidatorCompiler(validatorCompiler);
  http.setSerializerCompiler(serializerCompiler);

  const secureCookies = config.publicUrl.startsWith('https:');
  let draining = false;

  http.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorResponse(error, request);
    if (request.routeOptions.config?.html && request.workspace) {
      const t = translator(request.locale);
      return reply.code(status).type('text/html; charset=utf-8')
        .send(layout(request, { title: t('errors.INTERNAL'), body: html`<h1>${t(`errors.${body.error.code}`, { defaultValue: body.error.message })}</h1>` }));
    }
    return sendError(reply, status, body);
  });
  http.setNotFoundHandler((request, reply) => {
    if (request.method === 'GET' && request.headers.accept?.includes('text/html')) {
      const locale = chooseLocale(null, request.headers['accept-language'], 'en');
      const t = translator(locale);
      return reply.code(404).type('text/html; charset=utf-8').send(`<!doctype html>${html`<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${t('errors.NOT_FOUND')}</title><link rel="stylesheet" href="/assets/portal.css"></head><body><main class="wrap"><h1>${t('errors.NOT_FOUND')}</h1><p><a href="/">${t('nav.helpCentre')}</a></p></main></body></html>`}`);
    }
    return sendError(reply, 404, { error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });

  await http.register(fastifyCookie, { secret: deps.secret });
  await http.register(fastifyFormbody, { bodyLimit: config.bodyLimitBytes });
  await http.register(fastifyRateLimit, {
    global: false,
    ...(deps.redis ? { redis: deps.redis, nameSpace: 'kefu-rate-limit:' } : {}),
    errorResponseBuilder: (_request, context) => Object.assign(new Error('rate limited'), { statusCode: context.statusCode }),
  });
  await http.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Kefu API', version: '1', description: 'Everything the agent console does goes through this API. Authenticate with `Authorization: Bearer <API token>`, or with the console\'s session cookie plus an `x-csrf-token` header for writes.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await http.register(fastifySwaggerUi, { routePrefix: '/docs' });
  http.get('/openapi.json', { schema: { hide: true } }, async () => http.swagger());

  http.get('/healthz', { schema: { tags: ['ops'], summary: 'The process is alive', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }));
  http.get('/readyz', {
    schema: { tags: ['ops'], summary: 'Ready for traffic: database reachable, not shutting down', response: { 200: z.object({ status: z.literal('ready') }), 503: z.object({ status: z.string() }) } },
  }, async (_request, reply) => {
    if (draining) return reply.code(503).send({ status: 'draining' });
    await sql`select 1`.execute(database.db);
    return { status: 'ready' as const };
  });

  const context = { services: deps.services, config, secureCookies, requestContext: () => requestContext(accounts, { secureCookies }) };
  const modules = deps.modules ?? platformModules;
  await http.register(async (scoped) => {
    await scoped.register(context.requestContext());
    for (const module of modules) {
      for (const routes of module.routes?.(context) ?? []) await scoped.register(routes, { prefix: '/api/v1' });
      for (const pages of module.pages?.(context) ?? []) await scoped.register(pages);
    }
  });
  for (const module of modules) {
    for (const routes of module.publicRoutes?.(context) ?? []) await http.register(routes);
  }

  await http.register(fastifyStatic, { root: portalAssets, prefix: '/assets/', decorateReply: false, maxAge: '1h' });
  // The chat widget any site embeds (web/widget/README.md): the embed URL never changes, so a short
  // cache revalidated by ETag lets a new release reach every site within minutes.
  if (existsSync(path.join(widgetDist, 'widget.js'))) {
    await http.register(fastifyStatic, { root: widgetDist, prefix: '/', wildcard: false, index: false, decorateReply: false, maxAge: '5m', allowedPath: (file) => file === '/widget.js' });
  }
  if (existsSync(path.join(consoleDist, 'index.html'))) {
    await http.register(fastifyStatic, { root: consoleDist, prefix: '/agent/', decorateReply: true, wildcard: false, index: false });
    // The console routes on the client: any /agent path that isn't a file gets the app.
    const serveConsole = async (_request: unknown, reply: { sendFile(file: string): unknown; header(k: string, v: string): unknown }) => {
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    };
    http.get('/agent', { schema: { hide: true } }, serveConsole);
    http.get('/agent/*', { schema: { hide: true } }, serveConsole);
  } else {
    http.get('/agent', { schema: { hide: true } }, async (_request, reply) =>
      sendError(reply, 503, { error: { code: 'CONSOLE_NOT_BUILT', message: 'The agent console is not built; run `npm run build`' } }));
  }

  return { http, routes, markDraining: () => { draining = true; } };
}
