import os from 'node:os';
import type { Command } from 'commander';
import { sql, type Kysely } from 'kysely';
import { isValidMunicipalityCode } from '../../codes/municipality-code.ts';
import { japanTime } from '../../codes/japan-time.ts';
import { withMunicipality } from '../../db/tenant.ts';
import { UnusableInputError } from '../../errors.ts';
import { accessLogOf, checkedPurpose, logCommandLineRead, PURPOSES, type AccessLogEntry } from '../../review/access-log.service.ts';
import type { DB } from '../../db/schema.ts';
import { label } from '../../codes/labels.ts';
import { openAppContext } from '../app-context.ts';

/**
 * `benefit access-log --person ID`: what a resident is entitled to see, for the operator who
 * answers their request: every access by staff to their data, oldest first.
 */
export function registerAccessLogCommand(program: Command): void {
  program
    .command('access-log')
    .description("every access by staff to a person's data: who, when, what, why")
    .requiredOption('--person <id>', '宛名番号 as the register holds it, leading zeros included (required)')
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
        const known = (await sql<{ municipality_code: string }>`
              select municipality_code from persons where person_id = ${o.person}
              union select municipality_code from access_log where person_id = ${o.person}
              order by municipality_code`.execute(app.db)).rows.map((m) => m.municipality_code);
        const codes = o.municipality ? known.filter((m) => m === o.municipality) : known;
        // 「0件」 for a number no record knows would read as "nobody looked at this person" in the
        // answer to a disclosure request: a mistyped number (9631 for 0000009631) is refused.
        if (codes.length === 0) throw new UnusableInputError('unknown_person', await unknownPersonMessage(app.db, o.person, o.municipality));
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
          process.stdout.write(`${japanTime(e.accessed_at)}\t${e.municipality_code}\t${e.staff_login}（${label('role', e.staff_role)}）\t${e.what}\t${e.purpose_ja}\n`);
        }
      } finally {
        await app.close();
      }
    });
}


/**
 * Why a --person is refused, in the operator's language: the number as the register holds it,
 * leading zeros included, and the number they most likely meant (the same digits without
 * leading zeros) when one is known. 宛名番号 are not all 10 digits (CONTRACT.md: up to 20
 * characters), so the number is looked up rather than padded.
 */
async function unknownPersonMessage(db: Kysely<DB>, person: string, municipality: string | undefined): Promise<string> {
  const where = municipality ? `（市区町村コード ${municipality}）` : '';
  const digits = /^[0-9]+$/.test(person) ? person.replace(/^0+/, '') : undefined;
  const likely = digits
    ? (await sql<{ person_id: string }>`
        select distinct person_id from persons
        where person_id ~ '^0+[0-9]+$' and ltrim(person_id, '0') = ${digits} and person_id <> ${person}
        ${municipality ? sql`and municipality_code = ${municipality}` : sql``}
        order by person_id limit 3`.execute(db)).rows.map((r) => r.person_id)
    : [];
  return (
    `宛名番号 ${person} の住民の記録はありません${where}。宛名番号は住民記録のとおり、先頭の0も含めて指定してください（例：0000009631）。` +
    (likely.length ? `${likely.join('、')} ではありませんか。` : '')
  );
}
