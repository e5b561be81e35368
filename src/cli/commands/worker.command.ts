import type { Command } from 'commander';
import { EXIT_FAILURE, UnusableInputError } from '../../errors.ts';
import { wholeNumberOption } from '../whole-number-option.ts';
import { startWorkers } from '../../queue/bullmq-job-queue.ts';
import { jobHandlers } from '../../../workers/job-handlers.ts';
import { openAppContext, simulationThreads } from '../app-context.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run the BullMQ workers (start any number, on any number of machines)')
    .option('--concurrency <n>', 'jobs at once per queue in this process (default 2: a job waits on PostgreSQL about half its time, and the other uses the core meanwhile)', wholeNumberOption(1, undefined, ' (jobs at once)'), 2)
    .action(async (options: { concurrency: number }) => {
      const app = await openAppContext();
      if (!app.config.redisUrl) {
        await app.close();
        throw new UnusableInputError(
          'no_redis',
          'benefit worker needs REDIS_URL; without Redis every command runs its jobs in its own process',
        );
      }
      const workers = startWorkers(
        { redisUrl: app.config.redisUrl, prefix: app.config.queuePrefix, concurrency: options.concurrency, lockSeconds: app.config.jobLockSeconds },
        jobHandlers({ db: app.db, logger: app.logger, noticesDir: app.config.noticesDir, programs: app.programs, draftsDir: app.config.draftsDir, reportsDir: app.config.reportsDir, simulationThreads: simulationThreads(app.config, app.database) }),
        app.logger,
      );
      app.logger.info('workers started');
      // Drain on SIGTERM/SIGINT: finish the jobs in hand, take no new ones, then exit.
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      // A second signal stops at once (Redis away, a job that will not end): the jobs in hand are
      // taken over by other workers once their locks expire, and a chunk runs once whatever happens.
      const now = () => {
        app.logger.warn('stopped without finishing the jobs in hand');
        process.exit(EXIT_FAILURE);
      };
      process.once('SIGTERM', now);
      process.once('SIGINT', now);
      app.logger.info('stopping workers: finishing the jobs in hand (signal again to stop at once)');
      await workers.close();
      await app.close();
    });
}
