import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { exportLine } from '../../src/decisions/decision-export.ts';
import { decisionsInForce, insertDecisions, type DecisionRow, type NewDecision } from '../../src/decisions/decision.repository.ts';
import { compactExplanation, isCompact } from '../../src/decisions/compact-explanation.ts';
import { decisionInputs, replayDecision } from '../../src/decisions/replay.service.ts';
import { decisionFacts } from '../../src/decisions/stored-explanation.ts';
import { evaluateHousehold } from '../../src/engine/evaluate-household.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { nightlyContext, postgresWithRedis, PROGRAMS, type TestEnvironment } from '../support/test-environments.ts';
import { insertFullFormDecision } from './full-form-decision.ts';

/**
 * Issue 15: decisions store values only (no snapshot, a compact explanation, no text). What
 * they read back, export and replay must be exactly what the engine decided, and decisions
 * stored in full before still read as they were.
 */
describe('decision storage: values only, read back in full', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const asOf = '2024-12-13';
  let decisions: DecisionRow[];

  beforeAll(async () => {
    env = await postgresWithRedis();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-storage-'));
    const { files } = await generateMunicipality({ households: 250, seed: 'storage', municipalityCode: m, outDir: dir });
    for (const kind of ['residents', 'income', 'accounts', 'circumstances'] as const) {
      expect((await importFile(env, kind, files[kind])).rejectedRows).toBe(0);
    }
    await runNightly(nightlyContext(env, PROGRAMS), asOf, false);
    decisions = [];
    for await (const d of await decisionsInForce(env.db, asOf, { municipalityCode: m })) decisions.push(d);
  });
  afterAll(() => env?.close());

  it('stores no snapshot and no text, and a compact explanation for every engine decision', async () => {
    const { rows } = await sql<{ n: number; full: number; inputs: number; texts: number; hashed: number }>`
      select count(*)::int as n, count(*) filter (where explanation ? 'program')::int as full, count(inputs)::int as inputs,
             count(explanation_text)::int as texts, count(inputs_hash)::int as hashed
      from decisions where municipality_code = ${m}`.execute(env.db);
    expect(rows[0].n).toBeGreaterThan(500);
    expect(rows[0]).toEqual({ n: rows[0].n, full: 0, inputs: 0, texts: 0, hashed: rows[0].n });
  });

  it('exports every decision byte for byte as the full form the engine made would have printed', async () => {
    const byProgram = new Map(PROGRAMS.map((p) => [p.program.spec.id, p]));
    const full: DecisionRow[] = [];
    for (const d of decisions) {
      const snapshot = (await decisionInputs(env.db, d))!;
      const e = evaluateHousehold(byProgram.get(d.program)!, snapshot, d.as_of, d.engine_version, d.subject_person_id || undefined)!;
      // Through jsonb, as the full form was stored and printed before.
      const { rows: [{ stored }] } = await sql<{ stored: Record<string, unknown> }>`select ${JSON.stringify(e.explanation)}::jsonb as stored`.execute(env.db);
      full.push({ ...d, explanation: stored, explanation_text: e.explanation_text });
    }
    expect(decisions.map((d) => JSON.stringify(exportLine(d)))).toEqual(full.map((d) => JSON.stringify(exportLine(d))));
  });

  it('keeps an explanation in full when its compact form would not read back exactly', async () => {
    const d = decisions.find((x) => x.program === 'child-allowance' && x.outcome === 'eligible')!;
    const compiled = PROGRAMS.find((p) => p.program.spec.id === d.program)!;
    const e = evaluateHousehold(compiled, (await decisionInputs(env.db, d))!, d.as_of, d.engine_version)!.explanation;
    const facts = decisionFacts(compiled.program, d);
    expect(isCompact(compactExplanation(compiled.program, e, facts))).toBe(true);
    // What the values leave out, changed: a label, a citation, a value JSON cannot hold, an extra member.
    const changed: ((x: typeof e) => void)[] = [
      (x) => { x.conditions[1].text_ja += '。'; },
      (x) => { x.conditions[1].citation = { ...x.conditions[1].citation, article: '第99条' }; },
      (x) => { x.amount.steps[0].value_yen = Number.NaN; },
      (x) => { (x.recipient as Record<string, unknown>).note = 'x'; },
    ];
    for (const change of changed) {
      const x = structuredClone(e);
      change(x);
      expect(compactExplanation(compiled.program, x, facts)).toBe(x);
    }
  });

  it('replays every decision exactly, its snapshot rebuilt from the store and proven by its hash', async () => {
    for (const d of decisions) expect(await replayDecision(env.db, d.decision_id), d.decision_id).toEqual({ decision_id: d.decision_id, reproduces: true, differences: [] });
  });

  it('says plainly when the store no longer gives the snapshot decided on', async () => {
    const d = decisions.find((x) => x.program === 'child-allowance')!;
    await sql`update decisions set inputs_hash = '0000000000000000' where decision_id = ${d.decision_id}`.execute(env.db);
    try {
      const result = await replayDecision(env.db, d.decision_id);
      expect(result.reproduces).toBe(false);
      expect(result.differences[0]).toMatch(/^inputs: the snapshot rebuilt from the store hashes [0-9a-f]{16}, the decision recorded 0000000000000000/);
    } finally {
      await sql`update decisions set inputs_hash = ${d.inputs_hash} where decision_id = ${d.decision_id}`.execute(env.db);
    }
  });

  it('writes a retried batch once, and never a second start of a chain', async () => {
    const { rows: before } = await sql<{ n: number }>`select count(*)::int as n from decisions where municipality_code = ${m}`.execute(env.db);
    const { rows: stored } = await sql<NewDecision & { id: number }>`select * from decisions where municipality_code = ${m} and supersedes is null order by id limit 20`.execute(env.db);
    const again = stored.map(({ id: _id, ...d }) => ({ ...d, as_of: asOf }));
    expect(await insertDecisions(env.db, again)).toBe(0);
    // The same chain started again with another result (another id): refused as well.
    expect(await insertDecisions(env.db, again.map((d) => ({ ...d, decision_id: `X${d.decision_id.slice(1)}`, amount_yen: d.amount_yen + 1 })))).toBe(0);
    const { rows: after } = await sql<{ n: number }>`select count(*)::int as n from decisions where municipality_code = ${m}`.execute(env.db);
    expect(after[0].n).toBe(before[0].n);
  });

  it('reads, exports and replays a decision stored in full before, as it was stored', async () => {
    const other = freshMunicipality();
    const d = decisions.find((x) => x.program === 'child-allowance' && x.outcome === 'eligible')!;
    const snapshot = { ...(await decisionInputs(env.db, d))!, municipality_code: other };
    const e = evaluateHousehold(PROGRAMS.find((p) => p.program.spec.id === 'child-allowance')!, snapshot, d.as_of)!;
    await insertFullFormDecision(env.db, { decision_id: `F${d.decision_id.slice(1)}`, household_id: d.household_id, as_of: d.as_of }, snapshot, e);
    const old: DecisionRow[] = [];
    for await (const x of await decisionsInForce(env.db, asOf, { municipalityCode: other })) old.push(x);
    expect(old).toHaveLength(1);
    expect(old[0].explanation_text).toBe(e.explanation_text);
    expect(JSON.stringify(exportLine(old[0]).explanation)).toBe(JSON.stringify(exportLine({ ...old[0], explanation: d.explanation }).explanation));
    expect(await replayDecision(env.db, old[0].decision_id)).toEqual({ decision_id: old[0].decision_id, reproduces: true, differences: [] });
  });
});
