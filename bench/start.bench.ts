import { sleep, type BenchContext, type BenchSuite } from './harness.js';
import { KefuServer } from './kefu-server.js';
import { processTree, type ProcessMemory } from './processes.js';

/** DESIGN.md "Facts measured": osTicket 1.18 (php-fpm + nginx + MariaDB) idle on this machine. */
const OSTICKET_IDLE_MB = 154;
/** Issue 15's bar for start.idle. */
const IDLE_TARGET_MB = 250;
const IDLE_FIGURES = ['start.idle', 'start.idle.node', 'start.idle.postgres', 'start.idle.peak'];

export const suite: BenchSuite = {
  order: 10,
  benchmarks: [
    { name: 'start.idle', description: 'RSS of an idle Kefu on the demo data: Node and its Postgres together (MB)' },
    { name: 'start.idle.node', description: 'RSS of the idle Kefu Node process alone (MB)' },
    { name: 'start.idle.postgres', description: 'RSS of the embedded Postgres processes of an idle Kefu (MB)' },
    { name: 'start.idle.peak', description: 'the highest of the idle readings: Node and its Postgres together (MB)' },
    { name: 'start.ready', description: 'ms from spawning `kefu start` on a seeded data dir to the first 200 from /healthz' },
  ],

  async run(ctx, wanted) {
    const dataDir = await ctx.tempDir('start');
    ctx.log('start: first start on an empty data dir (initdb + demo seed)');
    const first = await KefuServer.start(ctx, dataDir);
    const firstMs = await first.waitHealthy();
    ctx.note(`start: the first start on an empty data dir (initdb, migrations, demo seed) took ${Math.round(firstMs)} ms.`);

    const idleWanted = IDLE_FIGURES.some((name) => wanted.has(name));
    if (idleWanted) {
      ctx.log(`start.idle: leaving Kefu idle for ${ctx.settings.idleS} s, then reading its memory every second for ${sampleSeconds(ctx)} s`);
      await sleep(ctx.settings.idleS * 1000);
      const idle = await sampleIdle(ctx, first.pid);
      const typical = idle.median;
      if (wanted.has('start.idle')) {
        ctx.report({ bench: 'start.idle', metric: 'rss_mb', value: typical.totalMb, baseline: 'osticket.idle', baseline_value: OSTICKET_IDLE_MB, recorded: true });
      }
      if (wanted.has('start.idle.node')) ctx.report({ bench: 'start.idle.node', metric: 'rss_mb', value: typical.nodeMb });
      if (wanted.has('start.idle.postgres')) ctx.report({ bench: 'start.idle.postgres', metric: 'rss_mb', value: typical.postgresMb });
      if (wanted.has('start.idle.peak')) ctx.report({ bench: 'start.idle.peak', metric: 'rss_mb', value: idle.peak.totalMb });
      ctx.note(`start.idle: ${ctx.settings.idleS} s after the first start became healthy, VmRSS summed over the Node process and ` +
        `all its descendants, read every second for ${idle.count} s. The figure is the median reading: ${typical.describe}; ` +
        `PSS, which splits shared pages (Postgres shared buffers) between processes, ${typical.totalPssMb} MB. ` +
        `start.idle.peak is the highest reading, ${idle.peak.totalMb} MB (${idle.peak.describe}): connections opened for a moment ` +
        `by periodic work (the minute's sweeps, the job queue's polls); ${idle.aboveTarget} of ${idle.count} readings were above ${IDLE_TARGET_MB} MB.`);
      ctx.note('osticket.idle (154 MB) is a figure recorded on this machine earlier (DESIGN.md), not measured in this run.');
      if (process.env.DATABASE_URL) ctx.note('DATABASE_URL is set: Postgres runs outside Kefu and is not counted in start.idle.');
    }
    await first.stop();

    if (wanted.has('start.ready')) {
      ctx.log('start.ready: second start on the seeded data dir');
      const second = await KefuServer.start(ctx, dataDir);
      ctx.report({ bench: 'start.ready', metric: 'ms', value: await second.waitHealthy() });
      ctx.note('start.ready: from spawn() of `bin/kefu.js start` to the first 200 from /healthz (polled every 10 ms), ' +
        'on the data dir the first start seeded: Node start-up, embedded Postgres start, migrations check, app build.');
      if (idleWanted) {
        // For comparison only: a restarted server never ran the seed, the usual state of an install.
        await sleep(ctx.settings.idleS * 1000);
        const idle = await sampleIdle(ctx, second.pid);
        ctx.note(`start.idle after the restart (not reported as a figure), same method: median ${idle.median.totalMb} MB ` +
          `(${idle.median.describe}), peak ${idle.peak.totalMb} MB.`);
      }
      await second.stop();
    }
  },
};

/**
 * An idle server's memory moves by a connection's worth (20-60 MB) for a second at a time when
 * periodic work opens one, so one reading says more about its timing than about the server. The
 * readings span twice the idle wait (a whole minute at full scale, the minute's sweeps included):
 * the median is the footprint the box carries, the peak what a burst adds.
 */
async function sampleIdle(ctx: BenchContext, pid: number) {
  const readings: Memory[] = [];
  for (let second = 0; second < sampleSeconds(ctx); second++) {
    const started = Date.now();
    readings.push(summarize(await processTree(pid), pid));
    await sleep(Math.max(0, 1000 - (Date.now() - started)));
  }
  const byTotal = [...readings].sort((a, b) => a.totalMb - b.totalMb);
  return {
    count: readings.length,
    median: byTotal[Math.floor(byTotal.length / 2)]!,
    peak: byTotal[byTotal.length - 1]!,
    aboveTarget: readings.filter((r) => r.totalMb > IDLE_TARGET_MB).length,
  };
}

const sampleSeconds = (ctx: BenchContext) => 2 * ctx.settings.idleS;

type Memory = ReturnType<typeof summarize>;

function summarize(tree: ProcessMemory[], nodePid: number) {
  const mb = (kb: number) => Math.round(kb / 102.4) / 10;
  const sum = (list: ProcessMemory[], pick: (p: ProcessMemory) => number | undefined) =>
    list.reduce((total, p) => total + (pick(p) ?? 0), 0);
  const node = tree.filter((p) => p.pid === nodePid);
  const postgres = tree.filter((p) => p.pid !== nodePid && p.comm.startsWith('postgres'));
  const others = tree.filter((p) => p.pid !== nodePid && !p.comm.startsWith('postgres'));
  const describe = [
    `node ${mb(sum(node, (p) => p.rssKb))} MB`,
    `${postgres.length} postgres processes ${mb(sum(postgres, (p) => p.rssKb))} MB`,
    ...(others.length ? [`others (${others.map((p) => p.comm).join(', ')}) ${mb(sum(others, (p) => p.rssKb))} MB`] : []),
  ].join(', ');
  return {
    totalMb: mb(sum(tree, (p) => p.rssKb)),
    nodeMb: mb(sum(node, (p) => p.rssKb)),
    postgresMb: mb(sum(postgres, (p) => p.rssKb)),
    totalPssMb: mb(sum(tree, (p) => p.pssKb)),
    describe,
  };
}
