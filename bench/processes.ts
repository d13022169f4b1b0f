import { readdir, readFile } from 'node:fs/promises';

export interface ProcessMemory {
  pid: number;
  ppid: number;
  /** The kernel's short name: `node`, `postgres` … */
  comm: string;
  /** VmRSS, kB: shared pages count once per process that maps them. */
  rssKb: number;
  /** Pss, kB (shared pages split between their users), when smaps_rollup is readable. */
  pssKb?: number;
}

async function readStat(pid: number): Promise<{ pid: number; ppid: number; comm: string } | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split at the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const ppid = Number(text.slice(close + 2).split(' ')[1]);
  return { pid, ppid, comm: text.slice(open + 1, close) };
}

async function kbField(file: string, field: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const match = text && new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

/** `root` and every process below it (by walking /proc/<pid>/stat ppid), with their memory. */
export async function processTree(root: number): Promise<ProcessMemory[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const stats = (await Promise.all(pids.map(readStat))).filter((s): s is NonNullable<typeof s> => !!s);
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const byPid = new Map(stats.map((s) => [s.pid, s]));

  const tree: ProcessMemory[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const stat = byPid.get(pid);
    if (!stat) continue;
    const rssKb = await kbField(`/proc/${pid}/status`, 'VmRSS');
    // A process that exited meanwhile (a finished backend) simply drops out.
    if (rssKb !== undefined) {
      tree.push({ ...stat, rssKb, pssKb: await kbField(`/proc/${pid}/smaps_rollup`, 'Pss') });
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Linux' clock ticks per second (USER_HZ), the unit of /proc/<pid>/stat's CPU times: 100 on every kernel configuration in use. */
const TICKS_PER_S = 100;

/**
 * CPU time (user + system, ms) used so far by `root` itself (all its threads) and by the processes
 * below it, those that already ended included: a parent's reaped children's time (cutime, cstime)
 * holds them, so the embedded Postgres' short-lived backends are counted by its postmaster.
 */
export async function processCpuMs(root: number): Promise<{ rootMs: number; descendantsMs: number }> {
  const ticks = async (pid: number) => {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!text) return { own: 0, reaped: 0 };
    // Fields after "(comm)": state ppid … utime (12th) stime cutime cstime.
    const [utime, stime, cutime, cstime] = text.slice(text.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number) as [number, number, number, number];
    return { own: utime + stime, reaped: cutime + cstime };
  };
  const rootTicks = await ticks(root);
  let descendants = 0;
  for (const p of (await processTree(root)).filter((p) => p.pid !== root)) {
    const { own, reaped } = await ticks(p.pid);
    descendants += own + reaped;
  }
  return { rootMs: (rootTicks.own * 1000) / TICKS_PER_S, descendantsMs: (descendants * 1000) / TICKS_PER_S };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
