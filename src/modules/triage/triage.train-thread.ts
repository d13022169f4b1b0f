/** The triage classifiers' training thread (see TriageService.train and core/off-thread.ts). */
import { serveOffThread } from '../../core/off-thread.js';
import { trainTargets } from './triage.training.js';

serveOffThread(trainTargets);
