import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import { SAFE_CAST } from '../csv/safe-cell.ts';
import type { DB } from '../db/schema.ts';
import { envelopeOrder } from './envelope.ts';
import type { NoticeContent } from './notice-content.ts';

const COLUMNS = ['envelope', 'notice_id', 'kind', 'program', 'title', 'postal_code', 'address', 'name', 'pages', 'file'];

/**
 * The print manifest of one run, for the vendor that prints and seals the postcards (圧着はがき):
 * one row per notice with its envelope (the PDF file holding all letters of one envelope, see
 * envelope.ts), address block and the envelope's page count, by envelope and reading order. Written
 * beside the PDFs as manifest-<date>-run<n>.csv, n counting the municipality's runs for that date
 * (1 for the first: the name, like the contents, follows from the input, not from a database
 * serial). UTF-8 with a BOM, which spreadsheet tools vendors use read as UTF-8. No file when the
 * run created no notice.
 */
export async function writePrintManifest(db: Kysely<DB>, noticesDir: string, m: string, runId: number, date: string): Promise<string | undefined> {
  const rows = await db
    .selectFrom('notices')
    .select(['notice_id', 'kind', 'program', 'content', 'pages', 'file'])
    .where('batch_run_id', '=', runId)
    .where('municipality_code', '=', m)
    .execute();
  if (rows.length === 0) return undefined;
  // The same order on any database for the same input: row ids follow the order in which the
  // workers happened to write, and text order depends on the database's collation.
  const envelope = (r: (typeof rows)[number]) => (r.file ? path.basename(r.file, '.pdf') : '');
  const byEnvelope = new Map<string, typeof rows>();
  for (const r of rows) byEnvelope.set(envelope(r), [...(byEnvelope.get(envelope(r)) ?? []), r]);
  const ordered = [...byEnvelope.keys()].sort().flatMap((e) => envelopeOrder(byEnvelope.get(e)!));
  const records = ordered.map((r) => {
    const c = r.content as unknown as NoticeContent;
    return [envelope(r), r.notice_id, r.kind, r.program, c.title, c.recipient.postalCode ?? '', c.recipient.address, c.recipient.name, r.pages ?? '', r.file ? path.basename(r.file) : ''];
  });
  const dir = path.join(noticesDir, m, date);
  fs.mkdirSync(dir, { recursive: true });
  const { n } = await db
    .selectFrom('batch_runs')
    .select(db.fn.countAll<number>().as('n'))
    .where('municipality_code', '=', m)
    .where('run_date', '=', date)
    .where('id', '<=', runId)
    .executeTakeFirstOrThrow();
  const file = path.join(dir, `manifest-${date}-run${Number(n)}.csv`);
  fs.writeFileSync(file, `\uFEFF${stringify([COLUMNS, ...records], { record_delimiter: 'windows', cast: SAFE_CAST })}`);
  return file;
}
