/** The search ranker's training thread (see SearchService.train and core/off-thread.ts). */
import { serveOffThread } from '../../core/off-thread.js';
import { trainRanker } from './search.ranker.js';

serveOffThread(trainRanker);
