import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from 'json-rules-engine';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStoreDirectly } from '../../bench/store-loader.ts';
import { allHouseholds } from '../../src/batch/batch.repository.ts';
import { snapshotDates, subjectsOf } from '../../src/decisions/decide.service.ts';
import { compileConditions, type ConditionTree } from '../../src/engine/compile-conditions.ts';
import { compileProgram, ENGINE_VERSIONS, evaluateHousehold, evaluateHouseholdReference, type CompiledProgram } from '../../src/engine/evaluate-household.ts';
import type { HouseholdSnapshot, PriorDecision } from '../../src/engine/household-snapshot.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { snapshotOfCase } from '../../src/rules/case-runner.ts';
import { loadPrograms } from '../../src/rules/program-loader.ts';
import { loadHouseholdSnapshots } from '../../src/residents/household-snapshot.repository.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The compiled conditions (evaluateHousehold, what deciding, simulating, replaying and
 * `rules check` run) against json-rules-engine (evaluateHouseholdReference): identical
 * evaluations, explanation and text included, byte for byte, on every program folder in rules/
 * over a generated municipality on several dates, and on variants of its households that reach
 * the unknown (review) paths: tax records missing, circumstances, no accounts, no members, other
 * programs' decisions.
 */

const RULES = fileURLToPath(new URL('../../rules', import.meta.url));
const MUNICIPALITY = '141003';
const PROGRAMS = loadPrograms(RULES).map(compileProgram);

/** Dates each program is decided on: monthly ones across both 児童手当 versions and the June switch of income year. */
function datesOf(p: CompiledProgram): string[] {
  const spec = p.program.spec;
  return spec.period_kind === 'monthly' ? ['2022-10-13', '2023-06-13', '2024-05-13', '2024-10-11', '2024-12-13'] : [spec.base_date!, '2024-12-13', '2025-04-15'];
}

/** Variants of a household the generated files rarely give, drawn from a seeded stream. */
function variants(s: HouseholdSnapshot, program: CompiledProgram, random: () => number): HouseholdSnapshot[] {
  const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const copy = (): HouseholdSnapshot => structuredClone(s);
  const out = [s];
  if (s.members.length) {
    const noTax = copy();
    const m = pick(noTax.members);
    for (const year of Object.keys(m.tax)) if (random() < 0.7) delete m.tax[year];
    out.push(noTax);
    const odd = copy();
    for (const member of odd.members) {
      if (random() < 0.3) member.accounts = [];
      if (random() < 0.3) member.circumstances = [...(member.circumstances ?? []), { circumstance: pick(['public_servant', 'facility_placement', 'supported_student'] as const), program: null }];
      if (random() < 0.15) member.circumstances = [...(member.circumstances ?? []), { circumstance: 'declined', program: program.program.spec.id }];
      for (const record of Object.values(member.tax)) {
        if (random() < 0.2) record.dependants = null;
        if (random() < 0.2) record.salary_income = null;
        if (random() < 0.1) record.treaty_exempt = true;
      }
    }
    out.push(odd);
  }
  out.push({ ...s, members: [] });
  if (program.program.spec.reads_decisions.length) {
    // Other programs' decisions as the snapshot repository attaches them: some members have none.
    out.push(...out.map((v) => ({
      ...v,
      members: v.members.map((m) => ({
        ...m,
        decisions: program.program.spec.reads_decisions.flatMap((id): PriorDecision[] =>
          random() < 0.3 ? [] : [{ program: id, outcome: pick(['eligible', 'ineligible', 'review'] as const), amount_yen: 70000, household_id: v.household_id }]),
      })),
    })));
  }
  return out;
}

/** Where two JSON strings first differ, with some context. */
function whereDiffer(a = 'undefined', b = 'undefined'): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const at = Math.max(0, i - 120);
  return `\n  compiled  …${a.slice(at, i + 80)}\n  reference …${b.slice(at, i + 80)}`;
}

describe('compiled conditions decide exactly as json-rules-engine', () => {
  let database: TestDatabase;
  let households: string[];
  /** Condition results and outcomes the comparisons reached, over every program. */
  const reached = new Set<string>();

  beforeAll(async () => {
    database = await createPostgresDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-compiled-'));
    const { files } = await generateMunicipality({ households: 400, seed: 'compiled-conditions', municipalityCode: MUNICIPALITY, outDir: dir });
    await loadStoreDirectly(database.url!, files);
    households = await allHouseholds(database.db, MUNICIPALITY);
  });
  afterAll(() => database?.close());

  /** Both paths on one snapshot for every subject and engine version; the differences found. */
  async function compare(program: CompiledProgram, snapshot: HouseholdSnapshot, asOf: string): Promise<{ compared: number; differing: string[] }> {
    const differing: string[] = [];
    let compared = 0;
    for (const subject of [...subjectsOf(program.program, snapshot), ...(program.program.spec.subject === 'person' ? ['nobody'] : [])]) {
      // Engine 1 stays replayable: both versions are compared.
      for (const engineVersion of ENGINE_VERSIONS) {
        const compiled = JSON.stringify(evaluateHousehold(program, snapshot, asOf, engineVersion, subject || undefined));
        const reference = JSON.stringify(await evaluateHouseholdReference(program, snapshot, asOf, engineVersion, subject || undefined));
        compared++;
        if (compiled !== reference) differing.push(`${snapshot.household_id} ${subject} ${asOf} engine ${engineVersion}: ${whereDiffer(compiled, reference)}`);
        for (const c of (JSON.parse(compiled ?? 'null')?.explanation?.conditions ?? []) as { result: boolean | null }[]) reached.add(String(c.result));
        reached.add(JSON.parse(compiled ?? '{"outcome":"none"}').outcome);
      }
    }
    return { compared, differing };
  }

  it.each(PROGRAMS.map((p) => [p.program.spec.id, p] as const))('%s: identical evaluations, explanations and texts', async (_id, program) => {
    const random = seedrandom(`compiled-${program.program.spec.id}`);
    let compared = 0;
    const differing: string[] = [];
    const add = (r: { compared: number; differing: string[] }) => {
      compared += r.compared;
      differing.push(...r.differing);
    };
    // The program's own cases, written on both sides of each boundary, and their variants.
    for (const c of program.program.cases) {
      for (const snapshot of variants(snapshotOfCase(program.program, c), program, random)) add(await compare(program, snapshot, c.as_of));
    }
    for (const asOf of datesOf(program)) {
      const dates = snapshotDates(program.program, asOf);
      if (!dates) continue;
      const snapshots = await loadHouseholdSnapshots(database.db, MUNICIPALITY, households, { membership: dates.membership, asOf, knownAt: new Date(), circumstancesOn: dates.circumstancesOn });
      for (const snapshot of snapshots.flatMap((s) => variants(s, program, random))) add(await compare(program, snapshot, asOf));
    }
    expect(differing.slice(0, 3), `${differing.length} of ${compared} evaluations differ`).toEqual([]);
    expect(compared).toBeGreaterThan(2000);
  });

  it('reached every outcome and every result of a condition, unknown included', () => {
    expect([...reached].sort()).toEqual(['eligible', 'false', 'ineligible', 'none', 'null', 'review', 'true']);
  });
});

describe('compileConditions: json-rules-engine semantics on any condition tree', () => {
  const facts: Record<string, unknown> = { n: 3, m: 0, s: 'abc', d: '2024-01-02', b: true, z: null, list: ['a', 'b'], other: 2 };
  const leaves = (random: () => number): ConditionTree => {
    const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    const operator = pick(['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain']);
    const value = ['in', 'notIn'].includes(operator) ? pick([['a', 3], ['abc', 'x'], 'abc']) : pick([3, 0, 'abc', '2024', true, null, 'a', { fact: 'other' }, { fact: 'n' }]);
    return { name: `c${Math.floor(random() * 1e6)}`, fact: pick(Object.keys(facts)), operator, value };
  };
  const tree = (random: () => number, depth: number): ConditionTree => {
    const r = random();
    if (depth === 0 || r < 0.4) return leaves(random);
    const children = Array.from({ length: Math.floor(random() * 4) }, () => tree(random, depth - 1));
    if (r < 0.6) return { not: tree(random, depth - 1) };
    return r < 0.8 ? { all: children } : { any: children };
  };

  it('gives the result and each condition\'s values and result as json-rules-engine on random trees', async () => {
    const random = seedrandom('trees');
    for (let i = 0; i < 400; i++) {
      const conditions = { all: [tree(random, 3)] };
      const engine = new Engine([], { allowUndefinedFacts: false });
      for (const [name, value] of Object.entries(facts)) engine.addFact(name, value);
      engine.addRule({ conditions: conditions as never, event: { type: 'x' } });
      const run = await engine.run();
      const ruleResult = run.results[0] ?? run.failureResults[0];
      const expected: unknown[] = [];
      const walk = (c: Record<string, unknown>) => {
        if ('all' in c || 'any' in c) for (const child of (c.all ?? c.any) as Record<string, unknown>[]) walk(child);
        else if ('not' in c) walk(c.not as Record<string, unknown>);
        else expected.push({ name: c.name, fact: c.fact, operator: c.operator, factResult: c.factResult, valueResult: c.valueResult, result: c.result });
      };
      walk(ruleResult.conditions as unknown as Record<string, unknown>);
      const computed: string[] = [];
      const actual = compileConditions(conditions, engine)((name) => {
        computed.push(name);
        return facts[name];
      });
      expect({ result: actual.result, conditions: actual.conditions }, JSON.stringify(conditions)).toEqual({ result: ruleResult.result, conditions: expected });
      // Each fact once, and only those the conditions name.
      expect(new Set(computed).size).toBe(computed.length);
    }
  });

  it('refuses what it does not compile rather than approximating it', () => {
    const engine = new Engine();
    expect(() => compileConditions({ all: [{ fact: 'n', operator: 'near', value: 1 }] }, engine)).toThrow('Unknown operator: near');
    expect(() => compileConditions({ all: [{ fact: 'n', operator: 'equal', value: 1, path: '$.x' } as ConditionTree] }, engine)).toThrow("'path'");
    expect(() => compileConditions({ all: [{ fact: 'n', operator: 'equal', value: 1, priority: 2 } as ConditionTree] }, engine)).toThrow("'priority'");
  });
});
