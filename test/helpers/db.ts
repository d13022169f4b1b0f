import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { withDatabase } from '../../src/core/db/connection-string.js';
import { adminQuery } from './admin-query.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new database cloned from the migrated template, on whichever server this run targets. */
export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseServerUrl');
  const template = inject('templateDatabase');
  // The template's name carries the setup process's pid, which the teardown uses to find leftovers.
  const name = `kefu_t_${template.split('_').pop()}_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `create database "${name}" template "${template}"`);
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => { await adminQuery(serverUrl, `drop database if exists "${name}" with (force)`); },
  };
}
