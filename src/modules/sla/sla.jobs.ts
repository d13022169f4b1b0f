import { z } from 'zod';
import { PermanentJobError, type JobQueue } from '../../core/jobs/index.js';
import { SLA_JOBS, type SlaService } from './sla.service.js';

/** A ticket's check; with `clockId` and `phase`, one clock's (as queued before checks were per ticket). */
const CheckData = z.object({
  workspaceId: z.string().uuid(), ticketId: z.string().uuid(), clockId: z.string().uuid().optional(),
  phase: z.enum(['warning', 'breach']).optional(), at: z.string().datetime(),
});
const WorkspaceData = z.object({ workspaceId: z.string().uuid() });
const RecomputeData = z.object({ workspaceId: z.string().uuid(), requestId: z.string().uuid(), after: z.string().uuid().optional() });

/** Job data is JSON from the database: checked before use, and a malformed job fails for good. */
function parse<T>(schema: z.ZodType<T>, data: unknown, queue: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new PermanentJobError(`${queue}: malformed job data`);
  return parsed.data;
}

/** The SLA workers, and the once-a-minute sweep that backs up the scheduled checks. Needs a started queue. */
export async function registerSlaWorkers(sla: SlaService, jobs: JobQueue): Promise<void> {
  await jobs.work(SLA_JOBS.check, (job) => sla.check(parse(CheckData, job.data, SLA_JOBS.check)), { concurrency: 4 });
  await jobs.work(SLA_JOBS.sweepWorkspace, (job) => sla.sweepWorkspace(parse(WorkspaceData, job.data, SLA_JOBS.sweepWorkspace).workspaceId));
  await jobs.work(SLA_JOBS.recompute, (job) => sla.recompute(parse(RecomputeData, job.data, SLA_JOBS.recompute)));
  await jobs.work(SLA_JOBS.sweep, () => sla.sweepAll());
  await jobs.schedule(SLA_JOBS.sweep, '* * * * *');
}
