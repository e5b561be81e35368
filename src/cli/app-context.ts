import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { createLogger, type Logger } from '../logger.ts';
import { BullJobQueue } from '../queue/bullmq-job-queue.ts';
import { InProcessJobQueue } from '../queue/in-process-job-queue.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import { jobHandlers } from '../../workers/job-handlers.ts';

export interface AppContext {
  config: Config;
  db: Database['db'];
  logger: Logger;
  database: Database;
  jobs: JobQueue;
  close(): Promise<void>;
}

/**
 * What every command needs: validated configuration, the logger, the database (schema brought
 * up to date: migrations are idempotent), and the job queue (BullMQ with REDIS_URL, else the
 * same handlers in process).
 */
export async function openAppContext(env: NodeJS.ProcessEnv = process.env): Promise<AppContext> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config);
  await migrateToLatest(database.db);
  const jobs: JobQueue = config.redisUrl
    ? new BullJobQueue({ redisUrl: config.redisUrl, prefix: config.queuePrefix })
    : new InProcessJobQueue(jobHandlers({ db: database.db, logger }));
  logger.debug({ database: database.kind, queue: jobs.kind }, 'started');
  return {
    config,
    db: database.db,
    logger,
    database,
    jobs,
    async close() {
      await jobs.close();
      await database.close();
    },
  };
}
