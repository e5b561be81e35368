import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { municipalityCodes } from '../../batch/batch.repository.ts';
import { isIsoDate } from '../../codes/iso-date.ts';
import { SAFE_CAST } from '../../csv/safe-cell.ts';
import { UnusableInputError } from '../../errors.ts';
import { municipalitySettings } from '../../municipalities/municipality.service.ts';
import { applyBankReturns } from '../../payments/bank-returns.service.ts';
import { exportPayments, paymentDates } from '../../payments/export-payments.service.ts';
import { ZenginFileError } from '../../payments/zengin/zengin-errors.ts';
import { yen } from '../../engine/wareki.ts';
import { openAppContext, type AppContext } from '../app-context.ts';
import { requestExitCode } from '../exit-status.ts';

/** The municipality a command works on: the one given, or the only one there is. */
async function municipalityOf(app: AppContext, given: string | undefined): Promise<string> {
  if (given) return given;
  const all = await municipalityCodes(app.db);
  if (all.length === 1) return all[0];
  throw new UnusableInputError('municipality_required', `--municipality is required: this database holds ${all.length === 0 ? 'no municipality' : all.join(', ')}`);
}

export function registerPaymentsCommand(program: Command): void {
  const payments = program.command('payments').description('payment instructions: dates, the Zengin transfer file, bank results');
  payments
    .command('dates')
    .description('the dates on which payment instructions are due or were exported (YYYY-MM-DD, one a line)')
    .option('--municipality <code>', 'needed when the database holds more than one')
    .action(async (o: { municipality?: string }) => {
      const app = await openAppContext();
      try {
        for (const d of await paymentDates(app.db, await municipalityOf(app, o.municipality))) process.stdout.write(`${d}\n`);
      } finally {
        await app.close();
      }
    });
  payments
    .command('export')
    .description('write the Zengin 総合振込 file of the payments to be made on a date (exporting again gives the same file)')
    .requiredOption('--date <date>', 'YYYY-MM-DD (required)')
    .requiredOption('--format <format>', 'zengin (required)')
    .requiredOption('--out <file>', 'where to write the file (required)')
    .option('--municipality <code>', 'needed when the database holds more than one')
    .action(async (o: { date: string; format: string; out: string; municipality?: string }) => {
      if (!isIsoDate(o.date)) throw new UnusableInputError('bad_date', `--date '${o.date}' is not a YYYY-MM-DD date`);
      if (o.format !== 'zengin') throw new UnusableInputError('bad_format', `--format '${o.format}': only zengin is supported`);
      // Checked before the export marks anything exported, not when the file is finally written.
      const folder = path.dirname(path.resolve(o.out));
      if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
        throw new UnusableInputError('no_folder', `--out '${o.out}': the folder ${folder} does not exist; create it first`);
      }
      const app = await openAppContext();
      try {
        const m = await municipalityOf(app, o.municipality);
        const { settings, problem } = await municipalitySettings(app.db, m);
        if (!settings) throw new UnusableInputError('settings_incomplete', problem);
        const r = await exportPayments(app.db, m, o.date, settings);
        fs.writeFileSync(o.out, r.file);
        process.stderr.write(`${o.out}: ${r.lines} transfers, ${yen(r.totalYen)}${r.again ? ' (the same file as the first export)' : ''}\n`);
        if (r.inReview) process.stderr.write(`${r.inReview} lines left for the next payment date: their review window (review_days) has not passed; staff may still hold them\n`);
        if (r.withdrawn) {
          process.stderr.write(`${r.withdrawn} lines withdrawn: the account is no longer usable (see the review queue)\n`);
          requestExitCode(3);
        }
      } finally {
        await app.close();
      }
    });
  payments
    .command('returns <file>')
    .description("read the bank's transfer-result file: failed transfers are marked and sent to review")
    .action(async (file: string) => {
      if (!fs.existsSync(file)) throw new UnusableInputError('no_file', `${file}: no such file`);
      const app = await openAppContext();
      try {
        const r = await applyBankReturns(app.db, fs.readFileSync(file)).catch((error: unknown) => {
          if (!(error instanceof ZenginFileError)) throw error;
          throw new UnusableInputError(
            'not_a_result_file',
            `${file} is not a bank transfer-result file (全銀 総合振込 with results: 120-byte records, header 1, data 2, trailer 8, end 9); nothing was recorded. The first problem: ${error.message}`,
          );
        });
        process.stdout.write(`${file}: ${r.paid} paid, ${r.failed} failed (sent to review), ${r.alreadyFailed} already recorded, ${r.rejected.length} rejected\n`);
        if (r.rejected.length) {
          fs.writeFileSync(`${file}.rejected.csv`, stringify(r.rejected, { header: true, columns: ['record', 'field', 'reason'], cast: SAFE_CAST }));
          for (const x of r.rejected) process.stderr.write(`record ${x.record} ${x.field}: ${x.reason}\n`);
          requestExitCode(3);
        }
      } finally {
        await app.close();
      }
    });
}
