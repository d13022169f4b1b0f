import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { AppError } from './errors.js';

/**
 * CPU-heavy pure work (training a model on a workspace's documents: seconds at a time) run in a
 * worker thread, so the event loop that answers requests, pushes chat messages and relays events
 * stays free. One thread per runner, spawned on the first task, running one task at a time (the
 * work is CPU-bound: two at once on a small box only share the same cores), and ended after
 * `idleMs` without work, so what the work loads (dictionaries, the training's buffers) is given
 * back instead of kept for the life of the server.
 *
 * The entry is a module of the caller's that calls `serveOffThread` with the work. Errors the work
 * throws on purpose (AppError) reach the caller as AppErrors with their code, status and details.
 */
export class OffThread<Input, Output> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (output: Output) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly entry: URL, private readonly options: { idleMs?: number } = {}) {}

  /** Input and output are copied between the threads (structured clone). */
  run(input: Input): Promise<Output> {
    const worker = this.started();
    clearTimeout(this.idleTimer);
    // Held while work is waiting (a CLI awaiting a training must not exit), let go when idle.
    worker.ref();
    const id = this.nextId++;
    return new Promise<Output>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, input });
    });
  }

  /** Ends the thread; waiting work is refused. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('The worker thread was closed'));
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // From source (tests, scripts run with tsx) the thread starts in a module that loads the TypeScript entry.
    const worker = this.entry.pathname.endsWith('.ts')
      ? new Worker(new URL('./off-thread-tsx.mjs', import.meta.url), { workerData: { entry: this.entry.href } })
      : new Worker(this.entry);
    worker.on('message', (message: Reply<Output>) => this.settle(message));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`The worker thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(message: Reply<Output>): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if ('error' in message) waiting.reject(revived(message.error));
    else waiting.resolve(message.output);
    if (!this.pending.size) this.idle();
  }

  private idle(): void {
    const worker = this.worker;
    worker?.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker === worker && !this.pending.size) void this.close();
    }, this.options.idleMs ?? 10_000).unref();
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}

/** The entry side: answers each task posted by `OffThread.run` with the work's result. */
export function serveOffThread<Input, Output>(work: (input: Input) => Output | Promise<Output>): void {
  if (isMainThread || !parentPort) throw new Error('serveOffThread runs only in a worker thread');
  const port = parentPort;
  port.on('message', async ({ id, input }: { id: number; input: Input }) => {
    try {
      const output = await work(input);
      port.postMessage({ id, output } satisfies Reply<Output>);
    } catch (error) {
      port.postMessage({ id, error: flattened(error) } satisfies Reply<Output>);
    }
  });
}

/** The entry module beside the caller, with the caller's extension (`.ts` from source, `.js` built). */
export function besideCaller(callerUrl: string, name: string): URL {
  const extension = /\.[cm]?[jt]s$/.exec(new URL(callerUrl).pathname)?.[0] ?? '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}

interface FlatError { message: string; stack?: string; app?: { code: string; status: number; details?: unknown } }
type Reply<Output> = { id: number; output: Output } | { id: number; error: FlatError };

function flattened(error: unknown): FlatError {
  if (error instanceof AppError) return { message: error.message, app: { code: error.code, status: error.status, details: error.details } };
  return error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
}

function revived(error: FlatError): Error {
  if (error.app) return new AppError(error.app.code, error.app.status, error.message, error.app.details);
  return Object.assign(new Error(error.message), error.stack ? { stack: error.stack } : {});
}
