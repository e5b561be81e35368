/**
 * A simulation thread (simulate-threads.ts): compares the pages it is given on its own
 * connection, in the simulating transaction's snapshot, and answers each with its tally.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sql } from 'kysely';
import { openDatabase } from '../db/database.ts';
import { programFromFiles } from '../rules/program-loader.ts';
import { pairsOf, simulatePage, type Page, type PageWork } from './simulate-page.ts';
import type { ProgramFiles, ThreadData, ThreadReply } from './simulate-threads.ts';

const data = workerData as ThreadData;
const port = parentPort!;
const reply = (r: ThreadReply) => port.postMessage(r);

const program = (p: ProgramFiles) => {
  const loaded = programFromFiles(p.id, p.files);
  if (loaded.ruleVersion !== p.ruleVersion) throw new Error(`${p.id}: the rules differ from the simulating process's`);
  return loaded;
};

try {
  const work: PageWork = { drafts: data.drafts.map(program), inForce: data.inForce.map(program), asOf: data.asOf, unmasked: data.unmasked };
  const pairs = pairsOf(work);
  // Named, so that an operator sees in pg_stat_activity what the connection is.
  const url = new URL(data.databaseUrl);
  url.searchParams.set('application_name', 'benefit simulate');
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '' });
  await database.db.connection().execute(async (db) => {
    await sql`begin isolation level repeatable read read only`.execute(db);
    // The id comes from pg_export_snapshot: hex digits and dashes only.
    if (!/^[0-9A-F-]+$/i.test(data.snapshot)) throw new Error('not a snapshot id');
    await sql.raw(`set transaction snapshot '${data.snapshot}'`).execute(db);
    // One page at a time: the next is given when this one is answered; null when there is none.
    await new Promise<void>((resolve) => {
      port.on('message', (message: { index: number; page: Page } | null) => {
        if (message === null) return resolve();
        simulatePage(db, message.page, work, pairs).then(
          (counted) => reply({ index: message.index, counted }),
          (error: Error) => reply({ error: error.message }),
        );
      });
    });
    await sql`commit`.execute(db);
  });
  await database.close();
  port.close();
} catch (error) {
  reply({ error: (error as Error).message });
}
