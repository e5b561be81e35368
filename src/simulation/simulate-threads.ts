import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Program } from '../rules/program-loader.ts';
import type { Page, PageTally, PageWork } from './simulate-page.ts';

export interface SimulationThreads {
  /** The PostgreSQL server the simulating transaction is on; each thread connects to it. */
  databaseUrl: string;
  count: number;
}

/** What a thread is started with: everything it needs to compare pages as this process would. */
export interface ThreadData {
  databaseUrl: string;
  /** The simulating transaction's snapshot (pg_export_snapshot): every thread reads the same data. */
  snapshot: string;
  drafts: ProgramFiles[];
  inForce: ProgramFiles[];
  asOf: string;
  unmasked?: boolean;
}

/** A program as its folder's files: a thread validates and compiles it again. */
export type ProgramFiles = { id: string; files: Record<string, string>; ruleVersion: string };

/** A thread's answer: a page compared, or why it could not be. */
export type ThreadReply = { index: number; counted: PageTally } | { error: string };

/** The thread's compiled script; running from the TypeScript sources (the tests), there is none. */
const SCRIPT = new URL('./simulate-thread.js', import.meta.url);
export const threadsAvailable = () => fs.existsSync(fileURLToPath(SCRIPT));

/**
 * Compares the pages in worker threads, each reading on its own connection in the snapshot of
 * `trx` (exported, so all of them see exactly what `trx` sees), and hands each page's tally to
 * `count` in page order. Pages go to whichever thread is free; a thread's failure ends the
 * simulation with its reason. Returns how many threads compared pages.
 */
export async function tallyInThreads(
  trx: Transaction<DB>,
  pages: Page[],
  work: PageWork,
  threads: SimulationThreads,
  count: (page: Page, counted: PageTally) => void,
): Promise<number> {
  const { rows } = await sql<{ snapshot: string }>`select pg_export_snapshot() as snapshot`.execute(trx);
  const asFiles = (p: Program): ProgramFiles => ({ id: p.spec.id, files: p.files, ruleVersion: p.ruleVersion });
  const data: ThreadData = {
    databaseUrl: threads.databaseUrl, snapshot: rows[0].snapshot,
    drafts: work.drafts.map(asFiles), inForce: work.inForce.map(asFiles), asOf: work.asOf, unmasked: work.unmasked,
  };
  const workers = Array.from({ length: Math.min(threads.count, pages.length) }, () => new Worker(SCRIPT, { workerData: data }));
  const waiting = new Map<number, PageTally>();
  const answered = new Set<Worker>();
  let next = 0;
  let counted = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            // A page for the thread, or null: nothing is left, and it ends its transaction and exits.
            const give = () => worker.postMessage(next < pages.length ? { index: next, page: pages[next++] } : null);
            worker.on('message', (reply: ThreadReply) => {
              if ('error' in reply) return reject(new Error(`a simulation thread failed: ${reply.error}`));
              answered.add(worker);
              waiting.set(reply.index, reply.counted);
              for (let c = waiting.get(counted); c; c = waiting.get(counted)) {
                waiting.delete(counted);
                count(pages[counted], c);
                counted++;
              }
              give();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => (code === 0 && next === pages.length ? resolve() : reject(new Error(`a simulation thread stopped (exit ${code})`))));
            give();
          }),
      ),
    );
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  return answered.size;
}
