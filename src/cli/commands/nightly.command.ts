import type { Command } from 'commander';
import { latestFinishedRunDate, municipalityCodes } from '../../batch/batch.repository.ts';
import { runNightly } from '../../batch/nightly.service.ts';
import { isConnectionError, serverOf, serverUnreachable } from '../../batch/server-errors.ts';
import { isIsoDate } from '../../codes/iso-date.ts';
import { UnusableInputError } from '../../errors.ts';
import { nightlyContext, openAppContext } from '../app-context.ts';
import { stageProgress } from '../stage-progress.ts';

export function registerNightlyCommand(program: Command): void {
  program
    .command('nightly')
    .description('the nightly batch as of a date: apply queued changes, re-decide the households they affect')
    .requiredOption('--date <date>', 'YYYY-MM-DD (required)')
    .option('--full', 're-decide every household')
    .option('--json', 'print the summary as JSON')
    .option('--no-render', 'create the notices but leave them pending: the next run renders them')
    .option('--backdate', 'run for a date earlier than the last finished nightly (refused without it)')
    .action(async (o: { date: string; full?: boolean; json?: boolean; render: boolean; backdate?: boolean }) => {
      if (!isIsoDate(o.date)) throw new UnusableInputError('bad_date', `--date '${o.date}' is not a YYYY-MM-DD date`);
      const app = await openAppContext();
      try {
        // A mistyped date in the past decides everyone as of then, and the next night again as of
        // today: refused unless meant.
        const latest = o.backdate ? undefined : await latestFinishedRunDate(app.db);
        if (latest && o.date < latest.run_date) {
          throw new UnusableInputError(
            'backdated_nightly',
            `--date ${o.date} is earlier than the last finished nightly (${latest.run_date}, municipality ${latest.municipality_code}); nothing was done. ` +
              'A nightly for an earlier date decides as of that date and the next nightly decides again: if that is what you mean, add --backdate',
          );
        }
        const progress = o.json ? undefined : stageProgress();
        const summary = await runNightly({ ...nightlyContext(app), renderNotices: o.render }, o.date, Boolean(o.full), progress?.update)
          .catch((error: unknown) => {
            // PostgreSQL or Redis went away for longer than the batch waits: say so, and what to do.
            if (!isConnectionError(error)) throw error;
            const again = `benefit nightly --date ${o.date}${o.full ? ' --full' : ''}${o.render ? '' : ' --no-render'}`;
            throw serverUnreachable(serverOf(error, app.config.redisUrl), error, again);
          })
          .finally(() => progress?.stop());
        process.stdout.write(
          o.json
            ? `${JSON.stringify(summary)}\n`
            : `nightly ${summary.date}: ${summary.changes_applied} changes applied, ${summary.households_evaluated} households evaluated, ` +
                `${summary.decisions_created} decisions created, ${summary.payments_created} payment lines, ${summary.notices_created} notices, ` +
                `${summary.review_items} for review\n` +
                summary.manifests.map((f) => `print manifest: ${f}\n`).join('') +
                summary.skipped.map((s) => `payments and notices skipped: ${s.reason}\n`).join(''),
        );
        // A nightly on a database nothing was imported into decides nobody: say why, or it looks done.
        if ((await municipalityCodes(app.db)).length === 0) {
          process.stderr.write('benefit: this database has no municipality yet (nothing was imported), so nobody was decided: import residents first (benefit import residents FILE)\n');
        }
      } finally {
        await app.close();
      }
    });
}
