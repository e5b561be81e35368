import type { Command } from 'commander';
import { sql } from 'kysely';
import { isValidMunicipalityCode } from '../../codes/municipality-code.ts';
import { japanTime } from '../../codes/japan-time.ts';
import { withMunicipality } from '../../db/tenant.ts';
import { UnusableInputError } from '../../errors.ts';
import { accessLogOf, type AccessLogEntry } from '../../review/access-log.service.ts';
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
    .option('--json', 'one JSON object per line instead of a table')
    .action(async (o: { person: string; municipality?: string; json?: boolean }) => {
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
          for (const e of await withMunicipality(app.db, m, (trx) => accessLogOf(trx, o.person))) entries.push({ municipality_code: m, ...e });
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

