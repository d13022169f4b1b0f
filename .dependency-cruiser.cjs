/**
 * The module boundaries (docs/modules.md), checked by `npm run lint`. Tests (`__tests__`, test/)
 * may reach into their own module's internals; the rules are about the shipped code.
 */
const TESTS = '(^|/)__tests__/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-module',
      comment: 'The core is what every module builds on: it imports no module, transport or wiring.',
      severity: 'error',
      from: { path: '^src/core/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/(core|contracts)/' },
    },
    {
      name: 'modules-meet-through-index',
      comment: "A module uses another module only through that module's index.ts (its public surface and manifest).",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/', pathNot: TESTS },
      to: { path: '^src/modules/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'wiring-meets-modules-through-index',
      comment: 'The app and the entry use modules through their index.ts (services.ts also constructs their repositories).',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$', pathNot: TESTS },
      to: { path: '^src/modules/', pathNot: ['^src/modules/[^/]+/index\\.ts$', '^src/modules/index\\.ts$', '\\.repo\\.ts$'] },
    },
    {
      name: 'only-services-builds-repositories',
      comment: 'Repositories stay inside their module; services.ts, the composition root, is the one place that constructs them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/modules/', '^src/services\\.ts$', TESTS] },
      to: { path: '\\.repo\\.ts$' },
    },
    {
      name: 'only-the-entry-imports-transport',
      comment: 'Transport (HTTP context, sockets) sits above the modules: only the entry (main.ts, app.ts) and transport itself import it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/transport/', '^src/(main|app)\\.ts$', TESTS] },
      to: { path: '^src/transport/' },
    },
    {
      name: 'modules-import-no-wiring',
      comment: 'Modules declare what they need (ports); they never import the wiring that builds them. The database type is the core\'s (core/db/database.ts), which each module\'s schema file extends with its own tables.',
      severity: 'error',
      from: { path: '^src/(modules|core|contracts)/', pathNot: TESTS },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'web-imports-only-contracts',
      comment: 'The console and the widget share only the wire contracts with the server.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: '^src/contracts/' },
    },
    {
      name: 'no-circular',
      comment: 'Run-time import cycles make start-up order fragile (a module read before it is initialised). Cycles of type-only imports vanish at run time.',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
