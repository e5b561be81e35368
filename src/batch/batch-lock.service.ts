import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ConflictError } from '../errors.ts';
import { isConnectionError } from './server-errors.ts';
import { processExists } from '../os/process-exists.ts';

const HEARTBEAT_MS = 10_000;
/** A lock not renewed for this long belongs to a batch that died: another may take it over. */
export const LOCK_STALE_SECONDS = 60;

export interface BatchLock {
  /** Throws when another batch took the lock over (this one stalled past LOCK_STALE_SECONDS). */
  assertHeld(): void;
  release(): Promise<void>;
}

/**
 * Takes the municipality's batch lock, so two nightly batches of one municipality never run at
 * once. The holder renews it every 10 s. A lock is taken over when its holder stopped renewing
 * it for a minute (a machine that died), or at once when its holder was a process on this
 * machine that no longer exists (a batch killed here). Times are the database's, so the
 * machines' clocks do not matter.
 */
export async function acquireBatchLock(db: Kysely<DB>, municipalityCode: string): Promise<BatchLock> {
  const me = { holder: randomUUID(), host: os.hostname(), pid: process.pid };
  const current = await db.selectFrom('batch_locks').selectAll().where('municipality_code', '=', municipalityCode).executeTakeFirst();
  const deadHere = current !== undefined && current.host === me.host && current.pid !== me.pid && !processExists(current.pid);
  const { rows } = await sql<{ holder: string }>`
    insert into batch_locks (municipality_code, holder, host, pid) values (${municipalityCode}, ${me.holder}, ${me.host}, ${me.pid})
    on conflict (municipality_code) do update
      set holder = excluded.holder, host = excluded.host, pid = excluded.pid, acquired_at = now(), heartbeat_at = now()
      where batch_locks.heartbeat_at < now() - make_interval(secs => ${LOCK_STALE_SECONDS})
         or (${deadHere} and batch_locks.holder = ${current?.holder ?? ''})
    returning holder`.execute(db);
  if (rows[0]?.holder !== me.holder) {
    const held = current ?? (await db.selectFrom('batch_locks').selectAll().where('municipality_code', '=', municipalityCode).executeTakeFirst());
    throw new ConflictError(
      'batch_running',
      `a nightly batch for ${municipalityCode} is already running (host ${held?.host}, process ${held?.pid}, since ${held?.acquired_at.toISOString()}); ` +
        `wait for it to finish, or if it died on another machine, run again after ${LOCK_STALE_SECONDS} seconds`,
    );
  }
  let lost = false;
  let renewing = Promise.resolve();
  const timer = setInterval(() => {
    renewing = db
      .updateTable('batch_locks')
      .set({ heartbeat_at: sql`now()` })
      .where('municipality_code', '=', municipalityCode)
      .where('holder', '=', me.holder)
      .executeTakeFirst()
      .then((r) => {
        if (Number(r.numUpdatedRows) === 0) lost = true;
      })
      .catch(() => {}); // a missed renewal is retried at the next tick
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    assertHeld() {
      if (lost) throw new ConflictError('batch_lock_lost', `the batch lock for ${municipalityCode} was taken over by another batch: this one stops`);
    },
    async release() {
      clearInterval(timer);
      await renewing;
      try {
        await db.deleteFrom('batch_locks').where('municipality_code', '=', municipalityCode).where('holder', '=', me.holder).execute();
      } catch (error) {
        // The database cannot be reached (the error that stopped the batch, most likely): the lock
        // stays, and the next batch here takes it over at once (this process is gone by then),
        // one elsewhere after LOCK_STALE_SECONDS. The batch's own error is the one to report.
        if (!isConnectionError(error)) throw error;
      }
    },
  };
}
