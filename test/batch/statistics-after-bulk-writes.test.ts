import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import type { JobQueue } from '../../src/queue/job-queue.ts';
import { importRows } from '../support/import-file.ts';
import { payingMunicipality } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { PROGRAMS, nightlyContext, postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';

/**
 * A full night writes most of the decisions, payment lines and review items at once, faster than
 * autovacuum (off on some servers) refreshes their statistics. The letters then look up each
 * household's payment lines and open missing-account item: on the statistics of the empty tables
 * the planner scanned every open item per letter, and at 450,000 households the notices stage of
 * a first run took hours instead of minutes (docs/performance.md). The run analyzes them itself.
 */
describe('statistics after a full night', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await postgresWithRedis(PROGRAMS);
  }, 60_000);
  afterAll(() => env?.close());

  const plannerRows = async (table: string) =>
    Number((await sql<{ reltuples: number }>`select reltuples from pg_class where oid = ${table}::regclass`.execute(env.db)).rows[0]!.reltuples);

  it('are refreshed for the tables the letters read before the letters are written', async () => {
    const m = await payingMunicipality(env.db);
    const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
    // Two exempt households with a child: H1 has an account and is paid, H2 has none and waits.
    await load('residents', [
      resident({ person_id: 'P1', household_id: 'H1', relationship: '世帯主', birth_date: '1985-04-10', effective_date: '2015-01-01' }),
      resident({ person_id: 'A1', household_id: 'H1', relationship: '子', given_name: '一郎', given_name_kana: 'イチロウ', birth_date: '2020-05-10', effective_date: '2020-05-10' }),
      resident({ person_id: 'P2', household_id: 'H2', relationship: '世帯主', given_name: '花子', given_name_kana: 'ハナコ', birth_date: '1988-02-01', effective_date: '2015-01-01' }),
      resident({ person_id: 'B1', household_id: 'H2', relationship: '子', given_name: '二郎', given_name_kana: 'ジロウ', birth_date: '2021-07-01', effective_date: '2021-07-01' }),
    ]);
    const exempt = (person_id: string, fiscal_year: string) => income({ person_id, fiscal_year, total_income: '0', kintowari: '0', shotokuwari: '0' });
    await load('income', [exempt('P1', '2024'), exempt('P1', '2023'), exempt('P2', '2024'), exempt('P2', '2023')]);
    await load('accounts', [account({ person_id: 'P1', bank_code: '0001', branch_code: '001', holder_kana: 'ヤマダ タロウ' })]);

    // Statistics as the letters see them: read when the notices stage queues its chunks.
    const seen: Record<string, number> = {};
    const jobs: JobQueue = Object.create(env.jobs);
    jobs.enqueueFlow = async (parent, children) => {
      if ((parent.data as { stage: string }).stage.startsWith('notices:') && !('review_items' in seen)) {
        seen.review_items = await plannerRows('review_items');
        seen.payment_lines = await plannerRows('payment_lines');
      }
      return env.jobs.enqueueFlow(parent, children);
    };
    const summary = await runNightly({ ...nightlyContext(env, PROGRAMS), jobs }, '2024-12-20', true);
    expect(summary.payments_created).toBeGreaterThan(0);
    expect(summary.notices_created).toBeGreaterThan(0);
    const open = await env.db.selectFrom('review_items').select(({ fn }) => fn.countAll<string>().as('n')).where('kind', '=', 'missing_account').executeTakeFirstOrThrow();
    expect(Number(open.n)).toBeGreaterThan(0);
    // Never analyzed, a table's reltuples is -1; analyzed while empty, 0.
    expect(seen.review_items).toBeGreaterThan(0);
    expect(seen.payment_lines).toBeGreaterThan(0);
  });
});
