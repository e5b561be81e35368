import path from 'node:path';
import type { Command } from 'commander';
import { isIsoDate } from '../../codes/iso-date.ts';
import { UnusableInputError } from '../../errors.ts';
import { loadPrograms } from '../../rules/program-loader.ts';
import { simulate } from '../../simulation/simulate.service.ts';
import { openChangedCsv, writeSimulationReport } from '../../simulation/simulation-report.ts';
import { openAppContext, simulationThreads } from '../app-context.ts';

/** `benefit simulate`: a draft rules folder against the rules in force, on the real population, read-only. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('evaluate draft program folders and the rules in force on the population as of a date, and report the difference (writes nothing but the report)')
    .requiredOption('--rules <dir>', 'a folder of draft program folders, or one program folder (required)')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD (required)')
    .requiredOption('--out <dir>', 'where to write report.html, summary.json and changed-households.csv (required)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--unmasked', 'show household numbers as they are (default: pseudonyms)')
    .action(async (o: { rules: string; asOf: string; out: string; json?: boolean; unmasked?: boolean }) => {
      if (!isIsoDate(o.asOf)) throw new UnusableInputError('bad_date', `--as-of '${o.asOf}' is not a YYYY-MM-DD date`);
      // A broken draft is refused (exit 2) before anything else is opened.
      const drafts = loadPrograms(path.resolve(o.rules));
      const app = await openAppContext();
      try {
        const csv = openChangedCsv(path.resolve(o.out));
        const summary = await simulate(app.db, { drafts, inForce: app.programs.map((p) => p.program), asOf: o.asOf, unmasked: o.unmasked, onChanged: csv.write,
          pageHouseholds: app.config.chunkHouseholds, threads: simulationThreads(app.config, app.database), logger: app.logger,
        });
        await csv.close();
        const files = writeSimulationReport(path.resolve(o.out), summary);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        for (const p of summary.programs) {
          process.stdout.write(
            `${p.program}: ${p.evaluated} households; newly eligible ${p.newly_eligible}, no longer ${p.no_longer_eligible}, ` +
              `up ${p.amount_increased}, down ${p.amount_decreased}, unchanged ${p.unchanged}; cost ${p.cost_current_yen} → ${p.cost_draft_yen} yen (${p.cost_delta_yen >= 0 ? '+' : ''}${p.cost_delta_yen})${p.period_kind === 'monthly' ? ' a year' : ''}\n`,
          );
        }
        process.stdout.write(`report: ${files.html}\n`);
      } finally {
        await app.close();
      }
    });
}
