import path from 'node:path';
import type { Command } from 'commander';
import { readCsvRows, type Encoding } from '../../changes/csv-rows.ts';
import { ingestRows } from '../../changes/import.service.ts';
import { RECORD_KINDS } from '../../changes/record-schemas.ts';
import { RejectionFile } from '../../changes/rejection-file.ts';
import type { RecordKind } from '../../db/schema.ts';
import { EXIT_REJECTED, UnusableInputError } from '../../errors.ts';
import { openAppContext } from '../app-context.ts';
import { requestExitCode } from '../exit-status.ts';

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('validate each row of a residents, income, accounts or circumstances file and queue it as a change')
    .argument('<kind>', RECORD_KINDS.join(' | '))
    .argument('<file>', 'CSV file with a header row')
    .option('--encoding <encoding>', 'utf8 or shift_jis (cp932: the same)', 'utf8')
    .option('--json', 'print the summary as JSON')
    .action(async (kind: string, file: string, options: { encoding: string; json?: boolean }) => {
      if (!RECORD_KINDS.includes(kind as RecordKind)) {
        throw new UnusableInputError('bad_kind', `unknown kind '${kind}': use ${RECORD_KINDS.join(', ')}`);
      }
      // cp932 is what municipal systems mean by Shift_JIS, and what shift_jis reads.
      if (options.encoding === 'cp932') options.encoding = 'shift_jis';
      if (options.encoding !== 'utf8' && options.encoding !== 'shift_jis') {
        throw new UnusableInputError('bad_encoding', `unknown encoding '${options.encoding}': use utf8 or shift_jis (cp932)`);
      }
      // Read the header and first rows before opening the store: an unusable file changes nothing.
      const batches = readCsvRows(file, kind as RecordKind, options.encoding as Encoding);
      const first = await batches.next();
      const app = await openAppContext();
      try {
        const all = (async function* () {
          if (!first.done) yield first.value;
          yield* batches;
        })();
        const summary = await ingestRows(app, kind as RecordKind, path.resolve(file), all, new RejectionFile(`${file}.rejected.csv`));
        const { rejections: _shownInFile, ...rest } = summary;
        process.stdout.write(
          options.json
            ? `${JSON.stringify(rest)}\n`
            : `${file}: ${summary.rowsRead} rows read, ${summary.accepted} accepted, ${summary.duplicates} already received, ` +
                `${summary.rejectedRows} rejected${summary.rejectedFile ? ` (reasons in ${summary.rejectedFile})` : ''}` +
                `${summary.recovered ? `; ${summary.recovered} more rows an earlier, unfinished run of this import had stored are now queued` : ''}\n`,
        );
        if (summary.rejectedRows > 0) requestExitCode(EXIT_REJECTED);
      } finally {
        await app.close();
      }
    });
}
