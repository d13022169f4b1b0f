import { squaredNorm, type SparseVector } from './tfidf.js';

/**
 * One-vs-rest linear support vector machine on sparse vectors: for each class, an L2-regularised
 * squared-hinge (L2-loss) SVM solved in its dual by coordinate descent (Hsieh et al., ICML 2008;
 * liblinear's default solver), with a bias feature of value 1. Deterministic: examples are visited
 * in an order drawn from a seeded generator.
 */

export interface LabelledExample { vector: SparseVector; label: string }

export interface LinearSvmOptions {
  /** Penalty of a margin violation; larger fits the training data harder. Default 1. */
  C?: number;
  /** Passes over a class's examples at most. Default 50. */
  maxEpochs?: number;
  /** Stop when the projected gradient's spread falls below this (liblinear's eps). Default 0.1. */
  tolerance?: number;
  /**
   * The examples (indices into the training list) each class is trained against, besides its
   * own. Default: all of them. Restricting it to the examples of similar classes keeps training
   * linear in the number of classes.
   */
  negativesOf?: (label: string, positives: readonly number[]) => Iterable<number>;
  /**
   * Train these classes only (every example still serves as a negative): retraining the classes
   * that changed, or training a large model in slices. Default: every class.
   */
  only?: Iterable<string>;
  /** Only this many of a class's weights, the largest in magnitude, are kept. Default: all. */
  maxWeightsPerClass?: number;
  seed?: number;
}

export interface LinearModelState {
  classes: string[];
  bias: Float64Array;
  /** Class k's weights are indices/weights[classStart[k] .. classStart[k + 1]). */
  classStart: Uint32Array;
  indices: Uint32Array;
  weights: Float32Array;
}

export class LinearModel {
  private readonly classIndex: Map<string, number>;
  private byFeature?: { start: Uint32Array; classes: Uint32Array; weights: Float32Array };

  constructor(readonly state: LinearModelState) {
    this.classIndex = new Map(state.classes.map((c, i) => [c, i]));
  }

  get classes(): readonly string[] {
    return this.state.classes;
  }

  /** The decision value of one class for a vector, or undefined for a class the model does not know. */
  score(vector: SparseVector, label: string): number | undefined {
    const k = this.classIndex.get(label);
    return k === undefined ? undefined : this.scoreAt(vector, k);
  }

  /** Decision values of every class, in `classes` order. */
  scores(vector: SparseVector): Float64Array {
    const byFeature = this.byFeature ??= this.indexByFeature();
    const out = Float64Array.from(this.state.bias);
    for (let i = 0; i < vector.indices.length; i++) {
      const feature = vector.indices[i]!;
      if (feature + 1 >= byFeature.start.length) continue;
      const value = vector.values[i]!;
      for (let p = byFeature.start[feature]!; p < byFeature.start[feature + 1]!; p++) {
        const k = byFeature.classes[p]!;
        out[k] = out[k]! + value * byFeature.weights[p]!;
      }
    }
    return out;
  }

  /** The best class and its decision value. */
  predict(vector: SparseVector): { label: string; score: number } {
    const all = this.scores(vector);
    let best = 0;
    for (let k = 1; k < all.length; k++) if (all[k]! > all[best]!) best = k;
    return { label: this.state.classes[best]!, score: all[best]! };
  }

  /** The weights again, grouped by feature: scoring every class costs only the query's features' entries. */
  private indexByFeature(): { start: Uint32Array; classes: Uint32Array; weights: Float32Array } {
    const { classStart, indices, weights } = this.state;
    let dimensions = 0;
    for (const at of indices) dimensions = Math.max(dimensions, at + 1);
    const start = new Uint32Array(dimensions + 1);
    for (const at of indices) start[at + 1]!++;
    for (let f = 0; f < dimensions; f++) start[f + 1]! += start[f]!;
    const fill = start.slice(0, dimensions);
    const classes = new Uint32Array(indices.length);
    const byFeatureWeights = new Float32Array(indices.length);
    for (let k = 0; k + 1 < classStart.length; k++) {
      for (let j = classStart[k]!; j < classStart[k + 1]!; j++) {
        const slot = fill[indices[j]!]!++;
        classes[slot] = k;
        byFeatureWeights[slot] = weights[j]!;
      }
    }
    return { start, classes, weights: byFeatureWeights };
  }

  private scoreAt(vector: SparseVector, k: number): number {
    const { classStart, indices, weights, bias } = this.state;
    const from = classStart[k]!;
    const to = classStart[k + 1]!;
    // Merge of two ascending index lists.
    let sum = bias[k]!;
    let i = 0;
    let j = from;
    while (i < vector.indices.length && j < to) {
      const a = vector.indices[i]!;
      const b = indices[j]!;
      if (a === b) sum += vector.values[i++]! * weights[j++]!;
      else if (a < b) i++;
      else j++;
    }
    return sum;
  }
}

export class TrainingError extends Error {
  constructor(readonly code: 'NO_EXAMPLES' | 'ONE_CLASS' | 'BAD_OPTION', message: string) {
    super(message);
  }
}

/** Trains one binary SVM per class (that class against the rest). Needs examples of at least two classes. */
export function trainLinearSvm(examples: readonly LabelledExample[], dimensions: number, options: LinearSvmOptions = {}): LinearModel {
  const { C = 1, maxEpochs = 50, tolerance = 0.1, maxWeightsPerClass = Infinity, seed = 1 } = options;
  if (!(C > 0) || !(maxEpochs >= 1) || !(tolerance > 0) || !(maxWeightsPerClass >= 1)) {
    throw new TrainingError('BAD_OPTION', 'C and tolerance must be positive, maxEpochs and maxWeightsPerClass at least 1');
  }
  if (!examples.length) throw new TrainingError('NO_EXAMPLES', 'No training examples');
  const byClass = new Map<string, number[]>();
  examples.forEach((e, i) => {
    for (const at of e.vector.indices) if (at >= dimensions) throw new TrainingError('BAD_OPTION', `Feature index ${at} beyond the ${dimensions} dimensions`);
    const members = byClass.get(e.label);
    if (members) members.push(i);
    else byClass.set(e.label, [i]);
  });
  if (byClass.size < 2) throw new TrainingError('ONE_CLASS', `Examples of at least two classes are needed (only "${[...byClass.keys()][0]}" given)`);

  const only = options.only ? new Set(options.only) : undefined;
  const unknown = only && [...only].filter((label) => !byClass.has(label));
  if (unknown?.length) throw new TrainingError('BAD_OPTION', `No examples of the classes to train: ${unknown.slice(0, 5).join(', ')}`);
  const classes = [...(only ?? byClass.keys())].sort();
  const diagonal = 1 / (2 * C);
  const norms = Float64Array.from(examples, (e) => squaredNorm(e.vector) + 1 + diagonal);
  const w = new Float64Array(dimensions);
  const touched = new Uint8Array(dimensions);
  const random = seededRandom(seed);
  const bias = new Float64Array(classes.length);
  const classStart = new Uint32Array(classes.length + 1);
  const kept: { indices: number[]; weights: number[] } = { indices: [], weights: [] };

  classes.forEach((label, k) => {
    const positives = byClass.get(label)!;
    const members = new Set(positives);
    for (const i of options.negativesOf?.(label, positives) ?? examples.keys()) if (examples[i]?.label !== label && examples[i]) members.add(i);
    const order = [...members];
    const alpha = new Float64Array(order.length);
    const sign = Int8Array.from(order, (i) => (examples[i]!.label === label ? 1 : -1));
    const used: number[] = [];
    for (const i of order) for (const at of examples[i]!.vector.indices) if (!touched[at]) { touched[at] = 1; used.push(at); }
    let b = 0;
    // liblinear's shrinking: an example outside the margin with alpha 0 is set aside while the
    // rest converge, then everything is checked once more.
    let active = order.length;
    let upper = Infinity;
    for (let epoch = 0; epoch < maxEpochs; epoch++) {
      shuffle(order, alpha, sign, active, random);
      let maxGradient = -Infinity;
      let minGradient = Infinity;
      for (let s = 0; s < active; s++) {
        const x = examples[order[s]!]!.vector;
        let wx = b;
        for (let q = 0; q < x.indices.length; q++) wx += w[x.indices[q]!]! * x.values[q]!;
        const gradient = sign[s]! * wx - 1 + diagonal * alpha[s]!;
        let projected = gradient;
        if (alpha[s] === 0) {
          if (gradient > upper) {
            active--;
            swap(order, alpha, sign, s, active);
            s--;
            continue;
          }
          projected = Math.min(gradient, 0);
        }
        maxGradient = Math.max(maxGradient, projected);
        minGradient = Math.min(minGradient, projected);
        if (Math.abs(projected) < 1e-12) continue;
        const before = alpha[s]!;
        alpha[s] = Math.max(before - gradient / norms[order[s]!]!, 0);
        const step = (alpha[s]! - before) * sign[s]!;
        for (let q = 0; q < x.indices.length; q++) {
          const at = x.indices[q]!;
          w[at] = w[at]! + step * x.values[q]!;
        }
        b += step;
      }
      if (maxGradient - minGradient <= tolerance) {
        if (active === order.length) break;
        active = order.length;
        upper = Infinity;
        continue;
      }
      upper = maxGradient > 0 ? maxGradient : Infinity;
    }
    let nonZero = used.filter((at) => w[at] !== 0);
    if (nonZero.length > maxWeightsPerClass) nonZero = nonZero.sort((x, y) => Math.abs(w[y]!) - Math.abs(w[x]!)).slice(0, maxWeightsPerClass);
    for (const at of nonZero.sort((x, y) => x - y)) { kept.indices.push(at); kept.weights.push(w[at]!); }
    for (const at of used) { w[at] = 0; touched[at] = 0; }
    bias[k] = b;
    classStart[k + 1] = kept.indices.length;
  });
  return new LinearModel({ classes, bias, classStart, indices: Uint32Array.from(kept.indices), weights: Float32Array.from(kept.weights) });
}

/** Mulberry32: small, fast, and the same sequence for the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher–Yates over the first `count` entries of three parallel arrays. */
function shuffle(order: number[], alpha: Float64Array, sign: Int8Array, count: number, random: () => number): void {
  for (let i = count - 1; i > 0; i--) swap(order, alpha, sign, i, Math.floor(random() * (i + 1)));
}

function swap(order: number[], alpha: Float64Array, sign: Int8Array, i: number, j: number): void {
  const o = order[i]!; order[i] = order[j]!; order[j] = o;
  const a = alpha[i]!; alpha[i] = alpha[j]!; alpha[j] = a;
  const g = sign[i]!; sign[i] = sign[j]!; sign[j] = g;
}
