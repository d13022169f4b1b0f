/** The shape of a catalogue with its strings widened, so a translation must have exactly its keys. */
export type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
