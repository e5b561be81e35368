import type { NightlyContext } from '../batch/nightly.service.ts';
import { checkRedisReachable, databaseStartError, retryWhileUnreachable } from '../batch/server-errors.ts';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { compileProgram, type CompiledProgram } from '../engine/evaluate-household.ts';
import { createLogger, type Logger } from '../logger.ts';
import { InProcessJobQueue } from '../queue/in-process-job-queue.ts';
import type { Job, JobHandlers, JobQueue } from '../queue/job-queue.ts';
import { QUEUE } from '../queue/queue-names.ts';
import { loadPrograms } from '../rules/program-loader.ts';
import { threadsAvailable, type SimulationThreads } from '../simulation/simulate-threads.ts';
import type { WorkerDeps } from '../../workers/worker-deps.ts';

export interface AppContext {
  config: Config;
  db: Database['db'];
  logger: Logger;
  database: Database;
  jobs: JobQueue;
  /** The rules in force, from the rules folder. */
  programs: CompiledProgram[];
  close(): Promise<void>;
}

/**
 * What every command needs: validated configuration, the logger, the database (schema brought
 * up to date: migrations are idempotent), and the job queue (BullMQ with REDIS_URL, else the
 * same handlers in process), and the rules in force.
 */
export async function openAppContext(env: NodeJS.ProcessEnv = process.env): Promise<AppContext> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config);
  // A server restarting as a worker starts (a nightly's workers start together) is waited for.
  try {
    await retryWhileUnreachable(
      () => migrateToLatest(database.db),
      (error) => logger.warn({ err: error.message }, 'the database cannot be reached: waiting for it'),
    );
    // A dead or mistyped REDIS_URL: one line naming it, before anything is done.
    if (config.redisUrl) await checkRedisReachable(config.redisUrl);
  } catch (error) {
    await database.close();
    throw databaseStartError(error, config.databaseUrl);
  }
  const programs = loadPrograms(config.rulesDir).map(compileProgram);
  // BullMQ and the workers are loaded only when used: they take a second to load, which every
  // command would pay at start-up.
  const jobs: JobQueue = config.redisUrl
    ? new (await import('../queue/bullmq-job-queue.ts')).BullJobQueue({ redisUrl: config.redisUrl, prefix: config.queuePrefix }, logger)
    : new InProcessJobQueue(handlersLoadedOnFirstJob({ db: database.db, logger, noticesDir: config.noticesDir, programs, draftsDir: config.draftsDir, reportsDir: config.reportsDir, simulationThreads: simulationThreads(config, database) }));
  logger.debug({ database: database.kind, queue: jobs.kind }, 'started');
  return {
    config,
    db: database.db,
    logger,
    database,
    jobs,
    programs,
    async close() {
      await jobs.close();
      await database.close();
    },
  };
}

/**
 * Where a simulation compares its pages: threads of their own, each with a connection, on a
 * PostgreSQL server and when running the compiled JavaScript; otherwise (the embedded database
 * is one connection) in the simulating thread.
 */
export function simulationThreads(config: Config, database: Database): SimulationThreads | undefined {
  if (database.kind !== 'postgres' || !config.databaseUrl || config.simulateThreads < 2 || !threadsAvailable()) return undefined;
  return { databaseUrl: config.databaseUrl, count: config.simulateThreads };
}

/** The workers' handlers, for jobs run in this process: loaded at the first job, if any. */
function handlersLoadedOnFirstJob(deps: WorkerDeps): JobHandlers {
  let loaded: Promise<JobHandlers> | undefined;
  const handlers = () => (loaded ??= import('../../workers/job-handlers.ts').then((m) => m.jobHandlers(deps)));
  return Object.fromEntries(Object.values(QUEUE).map((queue) => [queue, async (job: Job) => (await handlers())[queue](job)])) as JobHandlers;
}

/** What the nightly batch needs from a command's context. */
export function nightlyContext(app: AppContext): NightlyContext {
  return { db: app.db, logger: app.logger, programs: app.programs, jobs: app.jobs, noticesDir: app.config.noticesDir, chunkHouseholds: app.config.chunkHouseholds };
}
