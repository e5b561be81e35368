import os from 'node:os';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { isValidMunicipalityCode } from '../../codes/municipality-code.ts';
import { japanTime } from '../../codes/japan-time.ts';
import { withMunicipality } from '../../db/tenant.ts';
import { UnusableInputError } from '../../errors.ts';
import { accessLogOf, checkedPurpose, logCommandLineRead, PURPOSES, type AccessLogEntry } from '../../review/access-log.service.ts';
import { openAppContext } from '../app-context.ts';

/**
 * `benefit access-log --person ID`: what a resident is entitled to see, for the operator who
 * answers their request: every access by staff to their data, oldest first.
 */
export function registerAccessLogCommand(program: Command): void {
  program
    .command('access-log')
    .description("every access by staff to a person's data: who, when, what, why")
    .requiredOption('--person <id>', '宛名番号 (required)')
    .option('--municipality <code>', 'the municipality the person is registered in (default: every municipality)')
    .option('--purpose <purpose>', `why the log is read, recorded in it: ${Object.keys(PURPOSES).join(' | ')}`, 'disclosure')
    .option('--json', 'one JSON object per line instead of a table')
    .action(async (o: { person: string; municipality?: string; purpose: string; json?: boolean }) => {
      const purpose = checkedPurpose(o.purpose);
      if (o.municipality && !isValidMunicipalityCode(o.municipality)) {
        throw new UnusableInputError('bad_municipality', `--municipality: '${o.municipality}' is not a 6-digit municipality code with a valid check digit`);
      }
      const app = await openAppContext();
      try {
        // Every municipality that holds the person or logged a read of them: looked up in the
        // data, not in the municipalities' settings, which a municipality may not have.
        const codes = o.municipality
          ? [o.municipality]
          : (await sql<{ municipality_code: string }>`
              select municipality_code from persons where person_id = ${o.person}
              union select municipality_code from access_log where person_id = ${o.person}
              order by municipality_code`.execute(app.db)).rows.map((m) => m.municipality_code);
        const entries: (AccessLogEntry & { municipality_code: string })[] = [];
        for (const m of codes) {
          // This read is itself a read of the person's data: logged, by the OS user who ran it.
          const read = await withMunicipality(app.db, m, async (trx) => {
            const shown = await accessLogOf(trx, o.person);
            await logCommandLineRead(trx, m, o.person, os.userInfo().username, purpose);
            return shown;
          });
          for (const e of read) entries.push({ municipality_code: m, ...e });
        }
        if (o.json) {
          for (const e of entries) process.stdout.write(`${JSON.stringify({ person_id: o.person, ...e })}\n`);
          return;
        }
        // For the resident who asked: Japan time, and a header naming the columns.
        process.stdout.write(`宛名番号 ${o.person}: ${entries.length}件\n`);
        process.stdout.write('日時（日本時間）\t市区町村コード\t職員（役割）\t閲覧した内容\t目的\n');
        for (const e of entries) {
          process.stdout.write(`${japanTime(e.accessed_at)}\t${e.municipality_code}\t${e.staff_login} (${e.staff_role})\t${e.what}\t${e.purpose_ja}\n`);
        }
      } finally {
        await app.close();
      }
    });
}

