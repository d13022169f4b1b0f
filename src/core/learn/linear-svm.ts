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
    // Locals, not property reads in the inner loop: it runs once per weight of the query's features.
    const { start, classes, weights } = this.byFeature ??= this.indexByFeature();
    const { indices, values } = vector;
    const dimensions = start.length - 1;
    const out = this.state.bias.slice();
    for (let i = 0; i < indices.length; i++) {
      const feature = indices[i]!;
      if (feature >= dimensions) continue;
      const value = values[i]!;
      const end = start[feature + 1]!;
      for (let p = start[feature]!; p < end; p++) {
        const k = classes[p]!;
        out[k] = out[k]! + value * weights[p]!;
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

  /**
   * This model with `retrained`'s classes in place of its own of the same name, and without the
   * classes in `removed`: a retraining of the classes that changed (`only`) carried into the
   * whole model. Both must score vectors of the same vocabulary.
   */
  withClasses(retrained: LinearModel | undefined, removed: Iterable<string> = []): LinearModel {
    const gone = new Set(removed);
    const sources = new Map<string, LinearModel>();
    for (const label of this.classes) if (!gone.has(label)) sources.set(label, this);
    for (const label of retrained?.classes ?? []) sources.set(label, retrained!);
    const classes = [...sources.keys()].sort();
    const bias = new Float64Array(classes.length);
    const classStart = new Uint32Array(classes.length + 1);
    let size = 0;
    for (const [label, model] of sources) size += model.classSize(label);
    const indices = new Uint32Array(size);
    const weights = new Float32Array(size);
    classes.forEach((label, k) => {
      const model = sources.get(label)!;
      const from = model.state.classStart[model.classIndex.get(label)!]!;
      const to = from + model.classSize(label);
      indices.set(model.state.indices.subarray(from, to), classStart[k]!);
      weights.set(model.state.weights.subarray(from, to), classStart[k]!);
      bias[k] = model.state.bias[model.classIndex.get(label)!]!;
      classStart[k + 1] = classStart[k]! + to - from;
    });
    return new LinearModel({ classes, bias, classStart, indices, weights });
  }

  private classSize(label: string): number {
    const k = this.classIndex.get(label)!;
    return this.state.classStart[k + 1]! - this.state.classStart[k]!;
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
  // A class's examples touch a few thousand of the features; its weights and its examples are
  // renumbered onto those (`local`) so every pass works within a small array that stays in the
  // CPU cache, instead of reaching into one vector of every feature (a cache miss per entry once the
  // vocabulary reaches a few hundred thousand features, which made training memory-bound).
  const local = new Int32Array(dimensions).fill(-1);
  const random = seededRandom(seed);
  const bias = new Float64Array(classes.length);
  const classStart = new Uint32Array(classes.length + 1);
  const kept: { indices: number[]; weights: number[] } = { indices: [], weights: [] };

  classes.forEach((label, k) => {
    const positives = byClass.get(label)!;
    const members = new Set(positives);
    for (const i of options.negativesOf?.(label, positives) ?? examples.keys()) if (examples[i]?.label !== label && examples[i]) members.add(i);
    const { used, start, at, values } = renumber([...members].map((i) => examples[i]!.vector), local);
    const w = new Float64Array(used.length);
    // Positions into the class's examples, visited in a shuffled order.
    const order = Array.from(members, (_, m) => m);
    const norm = Float64Array.from(members, (i) => norms[i]!);
    const alpha = new Float64Array(order.length);
    const sign = Int8Array.from(members, (i) => (examples[i]!.label === label ? 1 : -1));
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
        const m = order[s]!;
        const from = start[m]!;
        const to = start[m + 1]!;
        let wx = b;
        for (let q = from; q < to; q++) wx += w[at[q]!]! * values[q]!;
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
        alpha[s] = Math.max(before - gradient / norm[m]!, 0);
        const step = (alpha[s]! - before) * sign[s]!;
        for (let q = from; q < to; q++) w[at[q]!] = w[at[q]!]! + step * values[q]!;
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
    let nonZero = [...used.keys()].filter((j) => w[j] !== 0);
    if (nonZero.length > maxWeightsPerClass) nonZero = nonZero.sort((x, y) => Math.abs(w[y]!) - Math.abs(w[x]!)).slice(0, maxWeightsPerClass);
    for (const j of nonZero.sort((x, y) => used[x]! - used[y]!)) { kept.indices.push(used[j]!); kept.weights.push(w[j]!); }
    for (const feature of used) local[feature] = -1;
    bias[k] = b;
    classStart[k + 1] = kept.indices.length;
  });
  return new LinearModel({ classes, bias, classStart, indices: Uint32Array.from(kept.indices), weights: Float32Array.from(kept.weights) });
}

/**
 * The vectors again, as one array, their features numbered 0… in order of first appearance:
 * `used[j]` is local feature j's index in the full vocabulary. `local` maps the other way and is
 * all -1 on entry; the caller resets the entries of `used` afterwards.
 */
function renumber(vectors: readonly SparseVector[], local: Int32Array): { used: number[]; start: Uint32Array; at: Uint32Array; values: Float64Array } {
  const used: number[] = [];
  const start = new Uint32Array(vectors.length + 1);
  vectors.forEach((x, m) => { start[m + 1] = start[m]! + x.indices.length; });
  const at = new Uint32Array(start[vectors.length]!);
  const values = new Float64Array(at.length);
  vectors.forEach((x, m) => {
    for (let q = 0; q < x.indices.length; q++) {
      const feature = x.indices[q]!;
      if (local[feature] === -1) local[feature] = used.push(feature) - 1;
      at[start[m]! + q] = local[feature]!;
      values[start[m]! + q] = x.values[q]!;
    }
  });
  return { used, start, at, values };
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
