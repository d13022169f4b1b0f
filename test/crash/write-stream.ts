/**
 * A stream of acknowledged writes, for the crash tests: `node --import tsx test/crash/write-stream.ts
 * <connection string> <writers>` inserts rows into `crash_writes` from `writers` connections at once,
 * each its own autocommit transaction, and prints `sent <id>` before and `ack <id>` after each
 * commit returns, until it is killed. With `--hold-server <dataDir>` it first starts the embedded
 * server on that directory (printing `server <pid> <connection string>`) and writes to it.
 */
import pg from 'pg';
import { startEmbeddedServer } from '../../src/core/db/embedded-server.js';

const args = process.argv.slice(2);
let url = args[0]!;
const writers = Number(args[1] ?? 4);
const hold = args.indexOf('--hold-server');
if (hold >= 0) {
  const server = await startEmbeddedServer({ dataDir: args[hold + 1]! });
  url = server.connectionString('postgres');
  process.stdout.write(`server ${server.pid} ${url}\n`);
}
const setup = new pg.Client({ connectionString: url });
await setup.connect();
await setup.query('create table if not exists crash_writes (id bigint primary key, payload text not null)');
await setup.end();
process.stdout.write('ready\n');

let next = 0;
await Promise.all(Array.from({ length: writers }, async (_, writer) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (;;) {
    const id = next++;
    process.stdout.write(`sent ${id}\n`);
    await client.query('insert into crash_writes (id, payload) values ($1, $2)', [id, `writer ${writer} row ${id} ${'x'.repeat(200)}`]);
    process.stdout.write(`ack ${id}\n`);
  }
}));
