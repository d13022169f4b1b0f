export { recordingLog } from '../../../../test/helpers/log.js';

/** A promise plus its resolve, to hold a handler open until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => { open = resolve; });
  return { promise, open };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
