import { loadavg } from 'node:os';
import path from 'node:path';
import { KEFU_SETTINGS, REFERENCE_SETTINGS, TriageClassifier } from '../src/modules/triage/triage.classifier.js';
import { readLabelledCsv } from '../src/modules/triage/triage.dataset.js';
import { projectRoot, type BenchContext, type BenchSuite } from './harness.js';
import { percentile, time } from './timing.js';

/**
 * The triage classifier on BANKING77 (../shared/datasets/banking77: 10,003 training texts, 77
 * labels), in process: the time to train on train.csv, and the latency of classifying each of the
 * 3,080 test texts one at a time (features, TF-IDF, every class's score). Beside the reference
 * settings (one TF-IDF vector, see triage.classifier.ts), measured in the same run.
 */
const DATA = path.resolve(projectRoot, '../shared/datasets/banking77');
const WARM_UP = 200;

export const suite: BenchSuite = {
  order: 45,
  benchmarks: [
    { name: 'triage.train', description: 'ms to train the triage classifier on BANKING77 train.csv (10,003 texts, 77 labels) (vs the reference settings)' },
    { name: 'triage.classify', description: 'triage classifier p50/p99 per text, BANKING77 test.csv one at a time (vs the reference settings)' },
  ],

  async run(ctx: BenchContext, wanted) {
    const [train, test] = await Promise.all([readLabelledCsv(path.join(DATA, 'train.csv')), readLabelledCsv(path.join(DATA, 'test.csv'))]);
    ctx.log(`triage: training on ${train.length.toLocaleString('en')} BANKING77 texts, Kefu's settings and the reference's`);
    const trained = (settings: typeof KEFU_SETTINGS) => {
      const started = performance.now();
      return { classifier: TriageClassifier.train(train, settings), ms: performance.now() - started };
    };
    const kefu = trained(KEFU_SETTINGS);
    const reference = trained(REFERENCE_SETTINGS);
    if (wanted.has('triage.train')) ctx.report({ bench: 'triage.train', metric: 'ms', value: kefu.ms, baseline: 'reference.train', baseline_value: reference.ms });
    if (wanted.has('triage.classify')) {
      const texts = test.map((t) => t.text);
      const kefuMs = await time(texts, async (text) => kefu.classifier.predict(text), WARM_UP);
      const referenceMs = await time(texts, async (text) => reference.classifier.predict(text), WARM_UP);
      for (const [metric, p] of [['p50_ms', 50], ['p99_ms', 99]] as const) {
        ctx.report({ bench: 'triage.classify', metric, value: percentile(kefuMs, p), baseline: 'reference.classify', baseline_value: percentile(referenceMs, p) });
      }
    }
    ctx.note(`triage: BANKING77, in process, one text at a time after ${WARM_UP} warm-up; reference = word 1–2 + character 2–5 TF-IDF in one vector, C = 1; ` +
      `1-minute load average ${loadavg()[0]!.toFixed(1)} when measured.`);
  },
};
