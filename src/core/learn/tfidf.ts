/**
 * Sparse vectors and TF-IDF weighting: sublinear term frequency (1 + ln tf), smoothed inverse
 * document frequency (ln((1 + n) / (1 + df)) + 1, as scikit-learn), each vector scaled to unit
 * length. Features unseen when fitting are dropped when transforming.
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

export interface TfidfState { features: string[]; idf: number[] }

export interface TfidfOptions {
  /** Features seen in fewer documents than this are left out of the vocabulary. Default 1. */
  minDocumentFrequency?: number;
}

export class TfidfVectorizer {
  private constructor(private readonly index: Map<string, number>, private readonly idf: Float64Array) {}

  /** Learns the vocabulary and IDF from feature counts, one map per document. */
  static fit(documents: ReadonlyArray<ReadonlyMap<string, number>>, options: TfidfOptions = {}): TfidfVectorizer {
    const minimum = Math.max(1, options.minDocumentFrequency ?? 1);
    const frequency = new Map<string, number>();
    for (const doc of documents) for (const feature of doc.keys()) frequency.set(feature, (frequency.get(feature) ?? 0) + 1);
    const kept = [...frequency].filter(([, df]) => df >= minimum).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const n = documents.length;
    return new TfidfVectorizer(new Map(kept.map(([feature], i) => [feature, i])), Float64Array.from(kept, ([, df]) => Math.log((1 + n) / (1 + df)) + 1));
  }

  static fromState(state: TfidfState): TfidfVectorizer {
    if (state.features.length !== state.idf.length) throw new Error('TF-IDF state: features and idf differ in length');
    return new TfidfVectorizer(new Map(state.features.map((f, i) => [f, i])), Float64Array.from(state.idf));
  }

  get size(): number {
    return this.idf.length;
  }

  has(feature: string): boolean {
    return this.index.has(feature);
  }

  /** Unit-length TF-IDF vector; all zeros (empty) when no feature is known. */
  transform(counts: ReadonlyMap<string, number>): SparseVector {
    const entries: [number, number][] = [];
    for (const [feature, tf] of counts) {
      const at = this.index.get(feature);
      if (at !== undefined && tf > 0) entries.push([at, (1 + Math.log(tf)) * this.idf[at]!]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(entries.reduce((sum, [, v]) => sum + v * v, 0)) || 1;
    return { indices: Uint32Array.from(entries, ([i]) => i), values: Float64Array.from(entries, ([, v]) => v / norm) };
  }

  toState(): TfidfState {
    return { features: [...this.index.keys()], idf: [...this.idf] };
  }
}
