import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireBatchLock } from '../../src/batch/batch-lock.service.ts';
import { startOrResumeRun } from '../../src/batch/batch.repository.ts';
import { ConflictError } from '../../src/errors.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

describe('the batch lock and unfinished runs', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase();
  });
  afterAll(() => database?.close());

  it('keeps a second batch of the same municipality out while the first holds the lock, but not another municipality', async () => {
    const first = await acquireBatchLock(database.db, '141003');
    await expect(acquireBatchLock(database.db, '141003')).rejects.toThrow(/already running \(host .*, process \d+/);
    const other = await acquireBatchLock(database.db, '131016');
    await other.release();
    await first.release();
    const again = await acquireBatchLock(database.db, '141003');
    await again.release();
  });

  it('takes over a lock whose holder stopped renewing it, and the old holder learns it lost it', async () => {
    const stale = await acquireBatchLock(database.db, '271004');
    // Another machine's holder that has not renewed for two minutes.
    await sql`update batch_locks set host = 'elsewhere', pid = 1, heartbeat_at = now() - interval '2 minutes' where municipality_code = '271004'`.execute(database.db);
    const taker = await acquireBatchLock(database.db, '271004');
    const row = await database.db.selectFrom('batch_locks').selectAll().where('municipality_code', '=', '271004').executeTakeFirstOrThrow();
    expect(row.host).not.toBe('elsewhere');
    await taker.release();
    await stale.release(); // releases nothing: the lock is no longer its own
    expect(await database.db.selectFrom('batch_locks').selectAll().where('municipality_code', '=', '271004').execute()).toEqual([]);
  });

  it('does not take over a fresh lock held on another machine, whatever its process number', async () => {
    await sql`insert into batch_locks (municipality_code, holder, host, pid) values ('011002', 'someone', 'elsewhere', 999999)`.execute(database.db);
    const error = await acquireBatchLock(database.db, '011002').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('batch_running');
  });

  it('takes over at once a lock held by a process of this machine that no longer exists', async () => {
    const { hostname } = await import('node:os');
    await sql`insert into batch_locks (municipality_code, holder, host, pid) values ('401307', 'dead', ${hostname()}, 999999)`.execute(database.db);
    const lock = await acquireBatchLock(database.db, '401307');
    await lock.release();
  });

  it('resumes the unfinished run of the same date, and refuses another date until it is finished', async () => {
    await database.db.insertInto('municipalities').values({ municipality_code: '141003' }).onConflict((c) => c.doNothing()).execute();
    const knownAt = new Date('2024-12-13T01:00:00Z');
    const run = await startOrResumeRun(database.db, '141003', '2024-12-13', true, knownAt);
    const resumed = await startOrResumeRun(database.db, '141003', '2024-12-13', false, new Date());
    expect(resumed).toEqual({ runId: run.runId, attempt: 2, knownAt, full: true });
    await expect(startOrResumeRun(database.db, '141003', '2024-12-14', false, new Date())).rejects.toThrow(
      "the nightly run of 2024-12-13 for 141003 did not finish: run 'benefit nightly --date 2024-12-13 --full' to finish it first",
    );
  });
});
