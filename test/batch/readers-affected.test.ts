import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStoreDirectly } from '../../bench/store-loader.ts';
import { householdsOfMembersDecidedSince, lastFinishedRun } from '../../src/batch/batch.repository.ts';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { nightlyContext, postgresWithRedis, programsNamed, type TestEnvironment } from '../support/test-environments.ts';

/**
 * The readers' planning on an incremental night: a program that reads another's decisions is
 * re-decided where those decisions changed since the last run, not wherever the last run itself
 * decided (which made the incremental night re-decide a tenth of the municipality).
 */
describe('households whose source decisions changed since the last run', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const sources = ['price-relief-2023-exempt', 'price-relief-2023-kintowari-only'];
  const programs = programsNamed(...sources, 'price-relief-2024-newly-exempt');

  beforeAll(async () => {
    env = await postgresWithRedis(programs);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-readers-'));
    const { files } = await generateMunicipality({ households: 120, seed: 'readers-affected', municipalityCode: m, outDir: dir });
    await loadStoreDirectly(env.database.url!, files);
    await runNightly(nightlyContext(env, programs), '2024-12-13', false);
  }, 300_000);
  afterAll(() => env?.close());

  it('are none right after a run: its own decisions were read by its readers', async () => {
    const last = (await lastFinishedRun(env.db, m))!;
    // The run decided the sources for some households (else the check below proves nothing)…
    expect((await householdsOfMembersDecidedSince(env.db, m, sources, new Date(0), '2024-06-03')).length).toBeGreaterThan(0);
    // …all of them as known at its knowledge time, which the next night starts from.
    expect(await householdsOfMembersDecidedSince(env.db, m, sources, last.known_at, '2024-06-03')).toEqual([]);
  });

  it('so the next night with no change decides no reader chunk', async () => {
    const summary = await runNightly(nightlyContext(env, programs), '2024-12-20', false);
    expect(summary.households_evaluated).toBe(0);
    const chunks = await env.db.selectFrom('batch_chunks').select('stage').where('stage', 'like', 'decide:2024-12-20%').execute();
    expect(chunks).toEqual([]);
  });
});
