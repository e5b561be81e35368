import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DB } from '../src/db/schema.ts';
import { updateSettings } from '../src/municipalities/municipality.service.ts';
import { fmt, startBenefit, startNode, timed } from './measure.ts';

const SETTINGS = fileURLToPath(new URL('../examples/municipality-141003.json', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./render-notices.script.ts', import.meta.url));

/**
 * Zengin export of `lines` payment lines by `benefit payments export` (a process of its own, for
 * its peak memory), first and repeated, against a COPY of the same rows out of PostgreSQL (the
 * floor of reading them).
 */
export async function benchZengin(db: Kysely<DB>, databaseUrl: string, m: string, lines: number) {
  await updateSettings(db, m, JSON.parse(fs.readFileSync(SETTINGS, 'utf8')) as Record<string, unknown>);
  await sql`
    insert into bank_accounts (change_row, municipality_code, person_id, valid_from, recorded_at, source, bank_code, branch_code, account_type, account_number, holder_kana)
    select i, ${m}, 'P' || i, '2024-01-01', now(), 'koukin', '0001', '001', 1, lpad(i::text, 7, '0'), 'ヤマダ タロウ' from generate_series(1, ${lines}) i`.execute(db);
  await sql`
    insert into payment_lines (municipality_code, program, household_id, recipient_person_id, period_start, period_end, payment_date, kind, amount_yen, status, decision_id)
    select ${m}, 'child-allowance', 'H' || i, 'P' || i, '2024-10-01', '2024-11-30', '2024-12-13', 'regular', 20000 + (i % 5) * 5000, 'due', 'D' || i
    from generate_series(1, ${lines}) i`.execute(db);
  await sql`analyze`.execute(db);
  const out = path.join(os.tmpdir(), `bench-zengin-${process.pid}.txt`);
  const run = async () => {
    const started = process.hrtime.bigint();
    const p = startBenefit(['payments', 'export', '--date', '2024-12-13', '--format', 'zengin', '--out', out], { DATABASE_URL: databaseUrl });
    const r = await p.done;
    if (r.code !== 0) throw new Error(`payments export failed: ${r.stderr}`);
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, peak_mib: p.peakMiB() };
  };
  const first = await run();
  const again = await run();
  const baseline = await timed(() => copyOut(databaseUrl, `copy (select l.*, a.* from payment_lines l join bank_accounts a on a.person_id = l.recipient_person_id and a.municipality_code = l.municipality_code) to stdout`));
  const result = { lines, bytes: fs.statSync(out).size, first, again, baseline_copy_seconds: baseline.seconds, ratio: first.seconds / baseline.seconds };
  console.log(
    `zengin export: ${fmt(lines, 0)} lines in ${fmt(first.seconds, 2)} s (again ${fmt(again.seconds, 2)} s), peak ${fmt(first.peak_mib, 0)} MiB; ` +
      `COPY of the same rows ${fmt(baseline.seconds, 2)} s (${fmt(result.ratio)}x); process start-up included`,
  );
  return result;
}

async function copyOut(databaseUrl: string, statement: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    let bytes = 0;
    const stream = client.query(copyTo(statement));
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    return bytes;
  } finally {
    await client.end();
  }
}

/** Notice rendering as the notices worker does it, one PDF a notice, against one-line PDFs with the same font. */
export async function benchNotices(count: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-notices-'));
  const run = async (mode: 'notices' | 'baseline') => {
    const child = startNode(['--import', 'tsx', SCRIPT, mode, String(count), path.join(dir, mode)]);
    const { code, stdout, stderr } = await child.done;
    if (code !== 0) throw new Error(`notice rendering (${mode}) failed: ${stderr}`);
    return { seconds: Number(stdout.trim()), peak_mib: child.peakMiB() };
  };
  const notices = await run('notices');
  const baseline = await run('baseline');
  fs.rmSync(dir, { recursive: true, force: true });
  const result = { count, ...notices, per_second: count / notices.seconds, baseline_seconds: baseline.seconds, ratio: notices.seconds / baseline.seconds };
  console.log(
    `notices: ${fmt(count, 0)} rendered in ${fmt(notices.seconds)} s = ${fmt(result.per_second)} a second, peak ${fmt(notices.peak_mib, 0)} MiB; ` +
      `one-line PDFs with the same font ${fmt(baseline.seconds)} s (${fmt(result.ratio)}x)`,
  );
  return result;
}
