import { AppError } from '../../core/errors.js';
import { TRIAGE_TARGETS, type TriageTarget } from '../../contracts/triage.js';
import { TriageClassifier, heldBack, type ClassifierState, type LabelledText } from './triage.classifier.js';
import type { Confusion } from './triage.schema.js';

/** Below this many examples a held-back fifth says nothing: no accuracy is reported. */
const MIN_HELD_OUT_EXAMPLES = 50;

export type TrainingExample = LabelledText & { ticketId: string };
/** A training as the training thread is given it (`triage.train-thread`). */
export interface TargetsTraining { data: Record<TriageTarget, TrainingExample[]>; strict: boolean }
export interface TrainedTarget {
  target: TriageTarget;
  state: ClassifierState;
  labels: string[];
  examples: number;
  heldOut?: { accuracy: number; confusion: Confusion };
}

/**
 * A model for each target that has examples of two labels or more, with the accuracy of a trial
 * on a held-back fifth. With `strict` (an admin asked), a target that cannot be trained is an
 * error (TRIAGE_ONE_CLASS, TRIAGE_NO_EXAMPLES) and nothing is returned; otherwise it is skipped.
 */
export function trainTargets({ data, strict }: TargetsTraining): TrainedTarget[] {
  const trained: TrainedTarget[] = [];
  for (const target of TRIAGE_TARGETS) {
    let classifier: TriageClassifier;
    try {
      classifier = TriageClassifier.train(data[target]);
    } catch (error) {
      if (!strict && error instanceof AppError && ['TRIAGE_ONE_CLASS', 'TRIAGE_NO_EXAMPLES'].includes(error.code)) continue;
      throw error;
    }
    trained.push({ target, state: classifier.toState(), labels: [...classifier.labels], examples: data[target].length, heldOut: heldOutTrial(data[target]) });
  }
  return trained;
}

/**
 * A trial model trained on four fifths of the examples, tested on the fifth held back (`heldBack`:
 * by a hash of the ticket's id): its accuracy, and how often each true label was predicted as each
 * (rows: the truth, in the order of the labels sorted; columns: the prediction). Undefined with too
 * few examples.
 */
function heldOutTrial(examples: readonly (LabelledText & { ticketId: string })[]): { accuracy: number; confusion: Confusion } | undefined {
  if (examples.length < MIN_HELD_OUT_EXAMPLES) return undefined;
  const held = examples.filter((e) => heldBack(e.ticketId));
  let trial: TriageClassifier;
  try {
    trial = TriageClassifier.train(examples.filter((e) => !heldBack(e.ticketId)));
  } catch (error) {
    if (error instanceof AppError && error.code === 'TRIAGE_ONE_CLASS') return undefined;
    throw error;
  }
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const counts = labels.map(() => labels.map(() => 0));
  let correct = 0;
  let scored = 0;
  for (const { text, label } of held) {
    try {
      const predicted = trial.predict(text).label;
      counts[labels.indexOf(label)]![labels.indexOf(predicted)]!++;
      if (predicted === label) correct++;
      scored++;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'TRIAGE_EMPTY_TEXT')) throw error;
    }
  }
  return scored ? { accuracy: correct / scored, confusion: { labels, counts } } : undefined;
}
