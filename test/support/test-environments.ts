import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { pendingChanges } from '../../src/batch/batch.repository.ts';
import type { NightlyContext } from '../../src/batch/nightly.service.ts';
import { compileProgram, type CompiledProgram } from '../../src/engine/evaluate-household.ts';
import { loadPrograms } from '../../src/rules/program-loader.ts';
import type { IngestContext } from '../../src/changes/import.service.ts';
import { BullJobQueue, startWorkers } from '../../src/queue/bullmq-job-queue.ts';
import { InProcessJobQueue } from '../../src/queue/in-process-job-queue.ts';
import { QUEUE } from '../../src/queue/queue-names.ts';
import { jobHandlers } from '../../workers/job-handlers.ts';
import { createEmbeddedDatabase, createPostgresDatabase, REDIS_URL, type TestDatabase } from './test-database.ts';

export interface TestEnvironment extends IngestContext {
  database: TestDatabase;
  /** The BullMQ key prefix of this environment's queues (with Redis). */
  queuePrefix?: string;
  /** Where this environment's notices worker writes PDFs. */
  noticesDir: string;
  /** Draft rules folders for simulations started from the pages, and where their reports go. */
  draftsDir: string;
  reportsDir: string;
  /** Waits until every received change has been applied by the workers. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export const silentLogger = pino({ level: 'silent' });

/** The rules in force, as the workers of every test environment load them. */
export const PROGRAMS = loadPrograms(fileURLToPath(new URL('../../rules', import.meta.url))).map(compileProgram);

/**
 * The programs a test is about, from the rules in force: a test of the child allowance and the
 * 2024 benefit does not depend on which other rounds the rules folder holds (a fixture with only
 * fiscal-2024 records would send every 2023 round to review).
 */
export const programsNamed = (...ids: string[]) => PROGRAMS.filter((p) => ids.includes(p.program.spec.id));

/** The programs of the tests written before the 2023–2024 rounds were added. */
export const BASE_PROGRAMS = programsNamed('child-allowance', 'low-income-household-2024', 'birth-gift-2024');

/** PostgreSQL server + Redis, with BullMQ workers running in this process (loaded with `programs`). */
export async function postgresWithRedis(programs: CompiledProgram[] = PROGRAMS): Promise<TestEnvironment> {
  const database = await createPostgresDatabase();
  const prefix = `benefit-test-${randomBytes(4).toString('hex')}`;
  const jobs = new BullJobQueue({ redisUrl: REDIS_URL, prefix }, silentLogger);
  const noticesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-notices-'));
  const { draftsDir, reportsDir } = simulationDirs();
  const workers = startWorkers({ redisUrl: REDIS_URL, prefix }, jobHandlers({ db: database.db, logger: silentLogger, noticesDir, programs, draftsDir, reportsDir }), silentLogger);
  return {
    db: database.db,
    jobs,
    logger: silentLogger,
    database,
    queuePrefix: prefix,
    noticesDir,
    draftsDir,
    reportsDir,
    settle: () => waitUntilApplied(database),
    async close() {
      await workers.close();
      // Every queue, so that no key of this environment's prefix stays in Redis.
      for (const q of Object.values(QUEUE)) await jobs.queue(q).obliterate({ force: true });
      await jobs.close();
      await database.close();
    },
  };
}

/** The embedded defaults: PGlite and in-process jobs, no servers. */
export async function embedded(): Promise<TestEnvironment> {
  const database = await createEmbeddedDatabase();
  const noticesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-notices-'));
  const { draftsDir, reportsDir } = simulationDirs();
  const jobs = new InProcessJobQueue(jobHandlers({ db: database.db, logger: silentLogger, noticesDir, programs: PROGRAMS, draftsDir, reportsDir }));
  return {
    db: database.db,
    jobs,
    logger: silentLogger,
    database,
    noticesDir,
    draftsDir,
    reportsDir,
    settle: async () => {},
    close: () => database.close(),
  };
}

function simulationDirs(): { draftsDir: string; reportsDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-simulations-'));
  fs.mkdirSync(path.join(root, 'drafts'));
  return { draftsDir: path.join(root, 'drafts'), reportsDir: path.join(root, 'reports') };
}

/** What runNightly needs, from a test environment. */
export function nightlyContext(env: TestEnvironment, programs: CompiledProgram[]): NightlyContext {
  return { db: env.db, logger: silentLogger, programs, jobs: env.jobs, noticesDir: env.noticesDir };
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
