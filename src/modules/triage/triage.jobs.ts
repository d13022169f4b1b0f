import { z } from 'zod';
import { PermanentJobError, type JobQueue } from '../../core/jobs/index.js';
import { AUTOMATION_JOBS } from './triage.automations.js';
import { TRIAGE_JOBS, type TriageService } from './triage.service.js';

const WorkspaceData = z.object({ workspaceId: z.string().uuid() });
const FireData = WorkspaceData.extend({ ticketId: z.string().uuid(), automation: z.enum(['remind', 'escalate', 'autoClose']), conditionKey: z.string().min(1).max(200) });

/** Training per workspace and its nightly fan-out; the automations' sweep (fan-out, per workspace) and each firing. */
export async function registerTriageWorkers(triage: TriageService, jobs: JobQueue): Promise<void> {
  await jobs.work(TRIAGE_JOBS.train, async (job) => {
    const parsed = WorkspaceData.safeParse(job.data);
    if (!parsed.success) throw new PermanentJobError(`${TRIAGE_JOBS.train}: malformed job data`);
    await triage.train(parsed.data.workspaceId);
  });
  await jobs.work(TRIAGE_JOBS.retrainAll, () => triage.retrainAll());
  // Nightly, when few people write: corrections of the day feed the next day's models.
  await jobs.schedule(TRIAGE_JOBS.retrainAll, '17 3 * * *');

  await jobs.work(AUTOMATION_JOBS.sweepAll, () => triage.automations.sweepAll());
  await jobs.work(AUTOMATION_JOBS.sweep, async (job) => {
    const parsed = WorkspaceData.safeParse(job.data);
    if (!parsed.success) throw new PermanentJobError(`${AUTOMATION_JOBS.sweep}: malformed job data`);
    await triage.automations.sweep(parsed.data.workspaceId);
  });
  await jobs.work(AUTOMATION_JOBS.fire, async (job) => {
    const parsed = FireData.safeParse(job.data);
    if (!parsed.success) throw new PermanentJobError(`${AUTOMATION_JOBS.fire}: malformed job data`);
    await triage.automations.fire(parsed.data);
  });
  // Hours and days are the automations' units: a five-minute sweep is late by at most five minutes.
  await jobs.schedule(AUTOMATION_JOBS.sweepAll, '*/5 * * * *');
}
