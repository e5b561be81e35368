import type { Command } from 'commander';
import { isIsoDate } from '../../codes/iso-date.ts';
import { exportLine } from '../../decisions/decision-export.ts';
import { decisionsInForce } from '../../decisions/decision.repository.ts';
import { replayDecision } from '../../decisions/replay.service.ts';
import { EXIT_REJECTED, UnusableInputError } from '../../errors.ts';
import { openAppContext, type AppContext } from '../app-context.ts';
import { requestExitCode } from '../exit-status.ts';

export function registerDecisionsCommand(program: Command): void {
  const decisions = program.command('decisions').description('recorded decisions');
  decisions
    .command('export')
    .description('print the decisions in force on a date as JSON Lines')
    .requiredOption('--as-of <date>', 'YYYY-MM-DD (required)')
    .option('--program <id>', 'only this program')
    .action(async (o: { asOf: string; program?: string }) => {
      if (!isIsoDate(o.asOf)) throw new UnusableInputError('bad_date', `--as-of '${o.asOf}' is not a YYYY-MM-DD date`);
      const app = await openAppContext();
      try {
        if (o.program) await checkProgram(app, o.program);
        for await (const d of await decisionsInForce(app.db, o.asOf, { program: o.program })) {
          if (!process.stdout.write(`${JSON.stringify(exportLine(d))}\n`)) await new Promise((r) => process.stdout.once('drain', r));
        }
      } finally {
        await app.close();
      }
    });
  decisions
    .command('replay')
    .description('re-evaluate a stored decision from its recorded inputs and rule version')
    .argument('<decision_id>')
    .action(async (id: string) => {
      const app = await openAppContext();
      try {
        const result = await replayDecision(app.db, id);
        process.stdout.write(`${JSON.stringify(result)}\n`);
        if (!result.reproduces) requestExitCode(EXIT_REJECTED);
      } finally {
        await app.close();
      }
    });
}

/**
 * A mistyped --program would print nothing and exit 0, which a script reads as "no decisions".
 * A program is known when it is in the rules in force or has recorded decisions (a program that
 * has since been removed from the rules folder).
 */
async function checkProgram(app: AppContext, program: string): Promise<void> {
  const known = app.programs.map((p) => p.program.spec.id);
  if (known.includes(program)) return;
  const recorded = await app.db.selectFrom('decisions').select('program').where('program', '=', program).limit(1).executeTakeFirst();
  if (recorded) return;
  throw new UnusableInputError('unknown_program', `--program '${program}' is not a program: the rules in force are ${[...known].sort().join(', ')}`);
}
