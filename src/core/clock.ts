/** Time as the product sees it: real in production, set by hand in tests of deadlines. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
