#!/usr/bin/env node
// The CLI runs the compiled server; `npm start` and `npm run kefu` build it first.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('kefu: not built yet; run `npm run build` (npm start does it for you)');
  process.exit(1);
}
await import(entry.href);
