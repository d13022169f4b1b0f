#!/usr/bin/env -S node --max-semi-space-size=4
// The CLI runs the compiled server; `npm start` and `npm run kefu` build it first.
//
// Node's flags are set here, the one place every way of running Kefu goes through (npm start, npm
// run kefu, an installed `kefu`, the benchmarks). --max-semi-space-size: start-up (module loading,
// migrations, the demo's first jobs) grows V8's young generation to its 16 MB semi-spaces, and V8
// gives that back only when it judges the process idle, tens of seconds later or never under a
// trickle of polls: ~35 MB of an idle server's RSS. 4 MB semi-spaces cost no measurable throughput
// (bench tickets.create) and keep the server near its resting size from the start.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('kefu: not built yet; run `npm run build` (npm start does it for you)');
  process.exit(1);
}
await import(entry.href);
