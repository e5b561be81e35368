import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { allHouseholds } from '../src/batch/batch.repository.ts';
import { decideHouseholds } from '../src/decisions/decide.service.ts';
import type { DB, RecordKind } from '../src/db/schema.ts';
import { compileProgram, evaluateHousehold, membershipDate } from '../src/engine/evaluate-household.ts';
import { loadPrograms } from '../src/rules/program-loader.ts';
import { loadHouseholdSnapshots } from '../src/residents/household-snapshot.repository.ts';
import { fmt, timed } from './measure.ts';
import { loadStoreDirectly } from './store-loader.ts';

const AS_OF = '2024-12-13';
const CHUNK = 1000;
const RULES = fileURLToPath(new URL('../rules', import.meta.url));
const BASELINE = fileURLToPath(new URL('./low-income-baseline.sql', import.meta.url));

/**
 * Deciding every household (all programs in force, explanations built, decisions written) as of
 * 2024-12-13, next to one set-based SQL statement that computes the 非課税世帯 benefit for the
 * same households in the same run, and the engine alone on snapshots already in memory.
 */
export async function benchEvaluate(db: Kysely<DB>, databaseUrl: string, files: Record<RecordKind, string>, municipality: string) {
  const load = await timed(() => loadStoreDirectly(databaseUrl, files));
  console.log(`evaluate: store loaded with COPY in ${fmt(load.seconds)} s (set-based, not the import path)`);
  const programs = loadPrograms(RULES).map(compileProgram);
  const households = await allHouseholds(db, municipality);
  const knownAt = new Date();

  // The engine alone, on 20,000 households' snapshots already read.
  const sample = households.slice(0, 20000);
  const lowIncome = programs.find((p) => p.program.spec.id === 'low-income-household-2024')!;
  const snapshots = await loadHouseholdSnapshots(db, municipality, sample, { membership: membershipDate(lowIncome.program, AS_OF)!, asOf: AS_OF, knownAt });
  const engineOnly = await timed(async () => {
    for (const s of snapshots) for (const p of programs) await evaluateHousehold(p, s, AS_OF);
  });

  let decisions = 0;
  const rssBefore = process.memoryUsage().rss;
  const decide = await timed(async () => {
    for (let i = 0; i < households.length; i += CHUNK) {
      decisions += (await decideHouseholds(db, programs, municipality, households.slice(i, i + CHUNK), AS_OF, knownAt)).created;
    }
  });

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const baseline = await timed(() => client.query(fs.readFileSync(BASELINE, 'utf8'), [municipality]));
  await client.end();
  const { rows: engineTotals } = await sql<{ outcome: string; households: number; total_yen: number }>`
    select outcome, count(*)::int as households, sum(amount_yen)::bigint as total_yen from decisions
    where program = 'low-income-household-2024' group by 1 order by 1`.execute(db);
  const sqlTotals = baseline.value.rows.map((r) => ({ outcome: r.outcome, households: r.households, total_yen: Number(r.total_yen) }));
  const agree = JSON.stringify(sqlTotals) === JSON.stringify(engineTotals);

  const report = {
    households: households.length,
    decisions_written: decisions,
    decide_seconds: decide.seconds,
    households_per_second: households.length / decide.seconds,
    engine_only_households_per_second: sample.length / engineOnly.seconds,
    sql_baseline_seconds: baseline.seconds,
    ratio_to_sql: decide.seconds / baseline.seconds,
    sql_and_engine_agree: agree,
    engine_totals: engineTotals,
    peak_rss_mib: Math.max(rssBefore, process.resourceUsage().maxRSS * 1024) / 2 ** 20,
  };
  console.log(
    `evaluate ${fmt(households.length, 0)} households x ${programs.length} programs: ${fmt(decide.seconds)} s = ${fmt(report.households_per_second, 0)} households/s ` +
      `(engine alone ${fmt(report.engine_only_households_per_second, 0)} households/s); one set-based SQL for the 非課税世帯 benefit: ${fmt(baseline.seconds, 2)} s; ` +
      `ratio ${fmt(report.ratio_to_sql)}x; SQL and engine agree on that benefit: ${agree ? 'yes' : 'NO'}; peak memory ${fmt(report.peak_rss_mib, 0)} MiB`,
  );
  if (!agree) console.log('  SQL:', JSON.stringify(sqlTotals), '\n  engine:', JSON.stringify(engineTotals));
  return report;
}
