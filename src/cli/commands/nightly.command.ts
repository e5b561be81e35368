import type { Command } from 'commander';
import { runNightly } from '../../batch/nightly.service.ts';
import { isIsoDate } from '../../codes/iso-date.ts';
import { compileProgram } from '../../engine/evaluate-household.ts';
import { UnusableInputError } from '../../errors.ts';
import { loadPrograms } from '../../rules/program-loader.ts';
import { openAppContext } from '../app-context.ts';

export function registerNightlyCommand(program: Command): void {
  program
    .command('nightly')
    .description('the nightly batch as of a date: apply queued changes, re-decide the households they affect')
    .requiredOption('--date <date>', 'YYYY-MM-DD')
    .option('--full', 're-decide every household')
    .option('--json', 'print the summary as JSON')
    .action(async (o: { date: string; full?: boolean; json?: boolean }) => {
      if (!isIsoDate(o.date)) throw new UnusableInputError('bad_date', `--date '${o.date}' is not a YYYY-MM-DD date`);
      const app = await openAppContext();
      try {
        const programs = loadPrograms(app.config.rulesDir).map(compileProgram);
        const progress = !o.json && process.stderr.isTTY
          ? (done: number, total: number) => process.stderr.write(`\revaluating ${done}/${total} households`)
          : undefined;
        const summary = await runNightly({ db: app.db, logger: app.logger, programs }, o.date, Boolean(o.full), progress);
        if (progress) process.stderr.write('\n');
        process.stdout.write(
          o.json
            ? `${JSON.stringify(summary)}\n`
            : `nightly ${summary.date}: ${summary.changes_applied} changes applied, ${summary.households_evaluated} households evaluated, ` +
                `${summary.decisions_created} decisions created, ${summary.review_items} for review\n`,
        );
      } finally {
        await app.close();
      }
    });
}
