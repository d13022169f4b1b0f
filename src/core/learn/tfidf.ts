/**
 * Sparse vectors and TF-IDF weighting: sublinear term frequency (1 + ln tf), smoothed inverse
 * document frequency (ln((1 + n) / (1 + df)) + 1, as scikit-learn), each vector scaled to unit
 * length. Features unseen when fitting are dropped when transforming. With `groups`, each group of
 * features (words, character n-grams) is scaled to the same length on its own, as scikit-learn's
 * FeatureUnion of one vectorizer per analyzer does.
 */

export interface SparseVector {
  /** Feature indices, ascending, no repeats. */
  indices: Uint32Array;
  values: Float64Array;
}

export function dot(a: SparseVector, dense: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < a.indices.length; k++) sum += a.values[k]! * dense[a.indices[k]!]!;
  return sum;
}

/** Dot product of two sparse vectors (both sorted). */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let sum = 0;
  let i = 0;
  let j = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) sum += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}

export function squaredNorm(a: SparseVector): number {
  let sum = 0;
  for (const v of a.values) sum += v * v;
  return sum;
}

export interface TfidfState { features: string[]; idf: number[]; groups?: string[][] }

export interface TfidfOptions {
  /** Features seen in fewer documents than this are left out of the vocabulary. Default 1. */
  minDocumentFrequency?: number;
  /**
   * Feature groups by prefix (`[['w:', 'w2:'], ['c:']]`): each group's part of a vector gets the
   * same length, 1/√(groups), so the whole is still unit length. A long text's thousands of
   * character n-grams then no longer drown its few words. Features of no group are dropped.
   * Default: one group of everything.
   */
  groups?: string[][];
}

export class TfidfVectorizer {
  /** The group of each feature (by index); empty when there is one group. */
  private readonly groupOf: Uint8Array;

  private constructor(private readonly index: Map<string, number>, private readonly idf: Float64Array, private readonly groups?: string[][]) {
    this.groupOf = new Uint8Array(groups ? idf.length : 0);
    if (groups) for (const [feature, at] of index) this.groupOf[at] = groupIndex(groups, feature);
  }

  /**
   * Learns the vocabulary and IDF from feature counts, one map per document, read once: a
   * generator can make each map as it is needed, so they need not all be in memory together.
   */
  static fit(documents: Iterable<ReadonlyMap<string, number>>, options: TfidfOptions = {}): TfidfVectorizer {
    const minimum = Math.max(1, options.minDocumentFrequency ?? 1);
    const { groups } = options;
    if (groups && !(groups.length >= 1 && groups.length <= 255 && groups.every((g) => g.length))) throw new Error('TF-IDF groups: 1 to 255 groups, each with a prefix');
    const frequency = new Map<string, number>();
    let n = 0;
    for (const doc of documents) {
      n++;
      for (const feature of doc.keys()) frequency.set(feature, (frequency.get(feature) ?? 0) + 1);
    }
    const kept = [...frequency].filter(([feature, df]) => df >= minimum && (!groups || groupIndex(groups, feature) >= 0))
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new TfidfVectorizer(new Map(kept.map(([feature], i) => [feature, i])), Float64Array.from(kept, ([, df]) => Math.log((1 + n) / (1 + df)) + 1), groups);
  }

  static fromState(state: TfidfState): TfidfVectorizer {
    if (state.features.length !== state.idf.length) throw new Error('TF-IDF state: features and idf differ in length');
    return new TfidfVectorizer(new Map(state.features.map((f, i) => [f, i])), Float64Array.from(state.idf), state.groups);
  }

  get size(): number {
    return this.idf.length;
  }

  has(feature: string): boolean {
    return this.index.has(feature);
  }

  /**
   * Unit-length TF-IDF vector; all zeros (empty) when no feature is known. Typed arrays sorted by
   * position, not an [index, value] pair per feature: training transforms every example, and the
   * pairs were most of its garbage.
   */
  transform(counts: ReadonlyMap<string, number>): SparseVector {
    const found = new Uint32Array(counts.size);
    const weights = new Float64Array(counts.size);
    const groupSquares = new Float64Array(this.groups?.length ?? 0);
    let size = 0;
    counts.forEach((tf, feature) => {
      const at = this.index.get(feature);
      if (at === undefined || !(tf > 0)) return;
      const weight = (1 + Math.log(tf)) * this.idf[at]!;
      if (this.groups) {
        const group = this.groupOf[at]!;
        groupSquares[group] = groupSquares[group]! + weight * weight;
      }
      found[size] = at;
      weights[size++] = weight;
    });
    const order = orderOf(found, size);
    const indices = new Uint32Array(size);
    for (let k = 0; k < size; k++) indices[k] = found[order[k]!]!;
    const values = new Float64Array(size);
    if (!this.groups) {
      let squares = 0;
      for (const k of order) squares += weights[k]! * weights[k]!;
      const norm = Math.sqrt(squares) || 1;
      for (let k = 0; k < size; k++) values[k] = weights[order[k]!]! / norm;
      return { indices, values };
    }
    const share = Math.sqrt(this.groups.length);
    const groupNorms = groupSquares.map((squares) => Math.sqrt(squares) * share);
    for (let k = 0; k < size; k++) values[k] = weights[order[k]!]! / groupNorms[this.groupOf[indices[k]!]!]!;
    return { indices, values };
  }

  toState(): TfidfState {
    return { features: [...this.index.keys()], idf: [...this.idf], ...(this.groups ? { groups: this.groups } : {}) };
  }
}

/** The first group with a prefix of the feature, or -1. */
function groupIndex(groups: string[][], feature: string): number {
  return groups.findIndex((prefixes) => prefixes.some((p) => feature.startsWith(p)));
}

/**
 * The positions 0 … size - 1 of `indices` (distinct) in ascending order of their index. Each is
 * packed with its index in one number, index × size + position, and those are sorted as numbers:
 * natively, where a comparator called per comparison was most of `transform`'s time. Exact: the
 * vocabulary and the document are Maps (fewer than 2^25 entries each in V8), so the packed numbers
 * stay below 2^50, within a double's integers.
 */
function orderOf(indices: Uint32Array, size: number): Uint32Array {
  const packed = new Float64Array(size);
  for (let k = 0; k < size; k++) packed[k] = indices[k]! * size + k;
  packed.sort();
  const order = new Uint32Array(size);
  for (let k = 0; k < size; k++) order[k] = packed[k]! % size;
  return order;
}
