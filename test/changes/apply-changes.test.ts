import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChanges } from '../../src/changes/apply-changes.service.ts';
import { readCsvRows } from '../../src/changes/csv-rows.ts';
import { ingestRows } from '../../src/changes/import.service.ts';
import type { JobQueue } from '../../src/queue/job-queue.ts';
import type { ApplyChangesJob, JobRequest } from '../../src/queue/queue-names.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { resident, writeCsv } from '../support/rows.ts';
import { ENVIRONMENTS, silentLogger, type TestEnvironment } from '../support/test-environments.ts';

/**
 * Apply jobs may run in any order, more than once, and a job holds several versions of one
 * person: history gets every version once, the current state the latest (by valid_from, then
 * recorded_at), and households touched every household the person belonged to.
 */
describe.each(ENVIRONMENTS)('applying changes ($name)', ({ open }) => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await open();
  });
  afterAll(() => env?.close());

  /** Stores a file's rows as received and returns its apply jobs, one per change, unrun. */
  async function receive(rows: Record<string, string>[]): Promise<ApplyChangesJob[]> {
    const file = writeCsv(rows);
    const queued: JobRequest[] = [];
    const holding: JobQueue = {
      kind: 'bullmq',
      enqueue: async (jobs) => void queued.push(...jobs),
      enqueueFlow: async () => {},
      close: async () => {},
    };
    await ingestRows({ db: env.db, jobs: holding, logger: silentLogger }, 'residents', file, readCsvRows(file, 'residents', 'utf8'));
    const ids = await env.db.selectFrom('changes').select(['id', 'municipality_code']).where('status', '=', 'received')
      .where('municipality_code', '=', rows[0].municipality_code).orderBy('id').execute();
    expect(queued.length).toBeGreaterThan(0);
    return ids.map((r) => ({ municipalityCode: r.municipality_code, fromId: r.id, toId: r.id }));
  }

  it('keeps the latest version whatever order the jobs run in, and a job run twice changes nothing', async () => {
    const m = freshMunicipality();
    const version = (change_id: string, effective_date: string, household_id: string, address: string) =>
      resident({ municipality_code: m, person_id: 'V1', household_id, change_id, effective_date, address });
    const jobs = await receive([
      version('v-1', '2024-01-01', 'VH1', '一丁目'),
      version('v-3', '2024-09-01', 'VH2', '三丁目'),
      version('v-2', '2024-05-01', 'VH1', '二丁目'),
    ]);
    for (const job of [...jobs].reverse()) expect(await applyChanges(env.db, job)).toEqual({ applied: 1 });
    expect(await applyChanges(env.db, jobs[0])).toEqual({ applied: 0 });

    const current = await env.db.selectFrom('persons').select(['household_id', 'address', 'valid_from']).where('municipality_code', '=', m).execute();
    expect(current).toEqual([{ household_id: 'VH2', address: '三丁目', valid_from: '2024-09-01' }]);
    const history = await env.db.selectFrom('person_history').select('address').where('municipality_code', '=', m).orderBy('valid_from').execute();
    expect(history.map((h) => h.address)).toEqual(['一丁目', '二丁目', '三丁目']);
    // Moving to VH2 is a change to VH1 as well: the nightly re-decides both.
    const touched = await env.db.selectFrom('household_changes').select('household_id').distinct().where('municipality_code', '=', m).orderBy('household_id').execute();
    expect(touched.map((t) => t.household_id)).toEqual(['VH1', 'VH2']);
  });

  it('keeps the latest of several versions of one person within one job', async () => {
    const m = freshMunicipality();
    const version = (change_id: string, effective_date: string, address: string) =>
      resident({ municipality_code: m, person_id: 'W1', household_id: 'WH1', change_id, effective_date, address });
    const jobs = await receive([version('w-2', '2024-06-01', '後'), version('w-1', '2024-02-01', '前')]);
    const whole = { municipalityCode: m, fromId: jobs[0].fromId, toId: jobs.at(-1)!.toId };
    expect(await applyChanges(env.db, whole)).toEqual({ applied: 2 });
    const current = await env.db.selectFrom('persons').select(['address']).where('municipality_code', '=', m).execute();
    expect(current).toEqual([{ address: '後' }]);
  });
});
