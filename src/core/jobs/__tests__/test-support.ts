import type { JobLogger } from '../job-queue.js';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  args: unknown[];
}

/** A logger that keeps what it is told, for assertions on failures being logged. */
export function recordingLog(): JobLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (...args: unknown[]) => void entries.push({ level: 'info', args }),
    warn: (...args: unknown[]) => void entries.push({ level: 'warn', args }),
    error: (...args: unknown[]) => void entries.push({ level: 'error', args }),
  };
}

/** A promise plus its resolve, to hold a handler open until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => { open = resolve; });
  return { promise, open };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
