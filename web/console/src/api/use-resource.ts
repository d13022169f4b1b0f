import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './http.js';

export type Resource<T> =
  | { phase: 'loading'; data?: T }
  | { phase: 'ready'; data: T }
  | { phase: 'failed'; code: string; data?: T };

/** Fetches whenever `deps` change and on `reload()`; an answer to an older request is dropped. */
export function useResource<T>(fetcher: () => Promise<T>, deps: readonly unknown[]): Resource<T> & { reload: () => void; adopt: (update: (data: T) => T) => void } {
  const [state, setState] = useState<Resource<T>>({ phase: 'loading' });
  const [round, setRound] = useState(0);
  // The caller lists what the fetcher reads in `deps`.
  const load = useCallback(fetcher, deps);
  useEffect(() => {
    let live = true;
    setState((s) => ({ phase: 'loading', data: s.data }));
    load().then(
      (data) => { if (live) setState({ phase: 'ready', data }); },
      (error: unknown) => { if (live) setState((s) => ({ phase: 'failed', code: codeOf(error), data: s.data })); },
    );
    return () => { live = false; };
  }, [load, round]);
  return {
    ...state,
    reload: () => setRound((r) => r + 1),
    // A write that answers with what it stored: showing that answer leaves no second fetch for an
    // edit made meanwhile to be overwritten by.
    adopt: (update) => setState((s) => (s.data === undefined ? s : { phase: 'ready', data: update(s.data) })),
  };
}

export const codeOf = (error: unknown): string => (error instanceof ApiError ? error.code : 'UNKNOWN');

/** Runs a write, then `after`; returns the error code to show, or null. */
export async function attempt(write: () => Promise<unknown>, after?: () => void): Promise<string | null> {
  try {
    await write();
    after?.();
    return null;
  } catch (error) {
    return codeOf(error);
  }
}
