import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface ChunkKey {
  runId: number;
  stage: string;
  chunk: number;
}

/**
 * Runs one chunk of a batch stage in a transaction that also marks it done, so a chunk killed
 * half-way leaves nothing and a chunk delivered again returns what it returned the first time.
 * Two deliveries running at once cannot both commit: the second meets the primary key of
 * batch_chunks, fails, and its retry finds the chunk done.
 */
export async function runChunkOnce<R extends object>(db: Kysely<DB>, key: ChunkKey, work: (trx: Transaction<DB>) => Promise<R>): Promise<R> {
  return db.transaction().execute(async (trx) => {
    const done = await trx
      .selectFrom('batch_chunks')
      .select('result')
      .where('run_id', '=', key.runId)
      .where('stage', '=', key.stage)
      .where('chunk', '=', key.chunk)
      .executeTakeFirst();
    if (done) return done.result as unknown as R;
    const result = await work(trx);
    await trx.insertInto('batch_chunks').values({ run_id: key.runId, stage: key.stage, chunk: key.chunk, result: JSON.stringify(result) }).execute();
    return result;
  });
}
