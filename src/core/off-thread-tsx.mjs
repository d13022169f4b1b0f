// The first module of an OffThread worker run from source (tests, scripts run with tsx): it loads the
// TypeScript entry through tsx, since a worker's `--import tsx` is not applied to its entry on Node 20.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
