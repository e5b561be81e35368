import type { KyselyPlugin, QueryId, RawNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import type { JobQueue } from '../../src/queue/job-queue.ts';
import { importRows } from '../support/import-file.ts';
import { payingMunicipality } from '../support/municipalities.ts';
import { account, income, resident, type Row } from '../support/rows.ts';
import { PROGRAMS, nightlyContext, postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';

/**
 * The programs' payment stages run side by side, but each program's candidates are found before
 * any stage writes a line: a candidates query planned while another program's lines were being
 * written scanned payment_lines once per decision, and at 450,000 households a full night's
 * payments stood still for minutes (docs/performance.md). Every payment stage's plan must be
 * stored when the first payment job is queued.
 */
describe('payment stages', () => {
  let env: TestEnvironment;

  beforeAll(async () => {
    env = await postgresWithRedis(PROGRAMS);
  }, 60_000);
  afterAll(() => env?.close());

  it("finds every program's candidates before the first payment job is queued", async () => {
    const m = await payingMunicipality(env.db);
    const load = (kind: 'residents' | 'income' | 'accounts', rows: Row[]) => importRows(env, m, kind, rows);
    await load('residents', [
      resident({ person_id: 'P1', household_id: 'H1', relationship: '世帯主', birth_date: '1985-04-10', effective_date: '2015-01-01' }),
      resident({ person_id: 'A1', household_id: 'H1', relationship: '子', given_name: '一郎', given_name_kana: 'イチロウ', birth_date: '2020-05-10', effective_date: '2020-05-10' }),
    ]);
    // No income: the household is exempt, so the 2023 and 2024 rounds pay it besides the allowance.
    await load('income', [income({ person_id: 'P1', total_income: '0', kintowari: '0', shotokuwari: '0' }), income({ person_id: 'P1', fiscal_year: '2023', total_income: '0', kintowari: '0', shotokuwari: '0' })]);
    await load('accounts', [account({ person_id: 'P1', bank_code: '0001', branch_code: '001', holder_kana: 'ヤマダ タロウ' })]);

    const plannedWhenQueued: number[] = [];
    const jobs: JobQueue = Object.create(env.jobs);
    jobs.enqueueFlow = async (parent, children) => {
      if ((parent.data as { stage: string }).stage.startsWith('payments:')) {
        const planned = await env.db.selectFrom('batch_plans').select('stage').where('stage', 'like', 'payments:%').execute();
        plannedWhenQueued.push(planned.length);
      }
      return env.jobs.enqueueFlow(parent, children);
    };
    // Finding the candidates takes a while, as on a real store: a stage queued before every
    // program's plan is stored would run while the others' are sought.
    const candidates = new Set<QueryId>();
    const slower: KyselyPlugin = {
      transformQuery({ node, queryId }) {
        if (node.kind === 'RawNode' && (node as RawNode).sqlFragments.join('').includes('candidates as (')) candidates.add(queryId);
        return node;
      },
      async transformResult({ queryId, result }) {
        if (candidates.delete(queryId)) await new Promise((r) => setTimeout(r, 300));
        return result;
      },
    };
    const summary = await runNightly({ ...nightlyContext(env, PROGRAMS), db: env.db.withPlugin(slower), jobs }, '2024-12-20', false);
    expect(summary.payments_created).toBeGreaterThan(0);
    const stages = await env.db.selectFrom('batch_stages').select('stage').where('stage', 'like', 'payments:%').execute();
    expect(stages.length).toBeGreaterThan(2);
    expect(plannedWhenQueued).toEqual(stages.map(() => stages.length));
  });
});
