import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { pendingChanges } from '../../src/batch/batch.repository.ts';
import type { IngestContext } from '../../src/changes/import.service.ts';
import { BullJobQueue, startWorkers } from '../../src/queue/bullmq-job-queue.ts';
import { InProcessJobQueue } from '../../src/queue/in-process-job-queue.ts';
import { jobHandlers } from '../../workers/job-handlers.ts';
import { createEmbeddedDatabase, createPostgresDatabase, REDIS_URL, type TestDatabase } from './test-database.ts';

export interface TestEnvironment extends IngestContext {
  database: TestDatabase;
  /** Waits until every received change has been applied by the workers. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export const silentLogger = pino({ level: 'silent' });

/** PostgreSQL server + Redis, with BullMQ workers running in this process. */
export async function postgresWithRedis(): Promise<TestEnvironment> {
  const database = await createPostgresDatabase();
  const prefix = `benefit-test-${randomBytes(4).toString('hex')}`;
  const jobs = new BullJobQueue({ redisUrl: REDIS_URL, prefix });
  const workers = startWorkers({ redisUrl: REDIS_URL, prefix }, jobHandlers({ db: database.db, logger: silentLogger }), silentLogger);
  return {
    db: database.db,
    jobs,
    logger: silentLogger,
    database,
    settle: () => waitUntilApplied(database),
    async close() {
      await workers.close();
      for (const q of ['changes'] as const) await jobs.queue(q).obliterate({ force: true });
      await jobs.close();
      await database.close();
    },
  };
}

/** The embedded defaults: PGlite and in-process jobs, no servers. */
export async function embedded(): Promise<TestEnvironment> {
  const database = await createEmbeddedDatabase();
  const jobs = new InProcessJobQueue(jobHandlers({ db: database.db, logger: silentLogger }));
  return {
    db: database.db,
    jobs,
    logger: silentLogger,
    database,
    settle: async () => {},
    close: () => database.close(),
  };
}

export const ENVIRONMENTS = [
  { name: 'PostgreSQL + Redis', open: postgresWithRedis },
  { name: 'embedded', open: embedded },
];

async function waitUntilApplied(database: TestDatabase, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await pendingChanges(database.db, new Date());
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending} changes still waiting after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
