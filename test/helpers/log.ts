export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  args: unknown[];
}

/** A logger that keeps what it is told, for assertions on failures being logged. */
export function recordingLog() {
  const entries: LogEntry[] = [];
  return {
    entries,
    debug: (...args: unknown[]) => void entries.push({ level: 'debug', args }),
    info: (...args: unknown[]) => void entries.push({ level: 'info', args }),
    warn: (...args: unknown[]) => void entries.push({ level: 'warn', args }),
    error: (...args: unknown[]) => void entries.push({ level: 'error', args }),
  };
}
