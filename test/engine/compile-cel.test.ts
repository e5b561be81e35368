import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { decisionsInForce, type DecisionRow } from '../../src/decisions/decision.repository.ts';
import { decisionInputs } from '../../src/decisions/replay.service.ts';
import { compileCel } from '../../src/engine/compile-cel.ts';
import { compileProgram, evaluateHousehold, type CompiledProgram } from '../../src/engine/evaluate-household.ts';
import { baseEnvironment, CelMember } from '../../src/engine/expression-environment.ts';
import type { HouseholdSnapshot } from '../../src/engine/household-snapshot.ts';
import type { MemberFacts } from '../../src/engine/member-facts.ts';
import { expressionRun, interpretedOnly } from '../../src/engine/program-expressions.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import type { Program } from '../../src/rules/program-loader.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { nightlyContext, postgresWithRedis, PROGRAMS, type TestEnvironment } from '../support/test-environments.ts';

/**
 * CEL expressions compiled to closures (src/engine/compile-cel.ts) against the library's own
 * evaluation, the reference: wherever a closure gives a value it is the library's value, and
 * with the fall-back the engine gets exactly what the library gives, errors included.
 */

type Outcome = { value: unknown } | { error: string };
const attempt = (run: () => unknown): Outcome => {
  try {
    return { value: run() };
  } catch (error) {
    return { error: String((error as Error)?.message ?? JSON.stringify(error)) };
  }
};

const env = baseEnvironment().registerVariable('x', 'dyn').registerVariable('y', 'dyn').registerVariable('s', 'string');
const source = { person_id: 'P1', relationship: '世帯主', birth_date: '1980-05-01', resident_since: '2000-01-01', tax: {} } as unknown as HouseholdSnapshot['members'][number];
const member = new CelMember(source, { age: 44 } as MemberFacts, { members: [source] } as unknown as HouseholdSnapshot, '2');

/** Expression, input, and whether the closure must answer by itself (no fall-back). */
const CASES: [string, Record<string, unknown>, boolean][] = [
  ['x + y', { x: 2n, y: 3n }, true],
  ['x + y', { x: 9223372036854775807n, y: 1n }, false], // int64 overflow is an error
  ['x - y', { x: -9223372036854775807n, y: 2n }, false],
  ['x * y', { x: 4294967296n, y: 4294967296n }, false],
  ['x / y', { x: 7n, y: -2n }, true], // truncates toward zero
  ['x % y', { x: -7n, y: 2n }, true],
  ['x / y', { x: 1n, y: 0n }, false],
  ['x % y', { x: 1n, y: 0n }, false],
  ['x + y', { x: 1n, y: null }, false],
  ['x + y', { x: 1n, y: 1.5 }, false],
  ['x + y', { x: 'a', y: 'b' }, true],
  ['x + y', { x: [1n], y: [2n] }, true],
  ['x / y', { x: 1.0, y: 4.0 }, true],
  ['-x', { x: -9223372036854775807n - 1n }, false],
  ['x == y', { x: 1n, y: 1n }, true],
  ['x == y', { x: 1n, y: null }, true],
  ['x == y', { x: null, y: null }, true],
  ['x == y', { x: 1n, y: 1.0 }, false], // heterogeneous equality: the library's
  ['x == y', { x: 'a', y: 1n }, false],
  ['x != y', { x: true, y: false }, true],
  ['x < y', { x: '2024-01-01', y: '2024-01-02' }, true],
  ['x < y', { x: '😀', y: '～' }, true], // the library orders by UTF-16 unit, not code point
  ['x < y', { x: '2024', y: '2024-01' }, true],
  ['x < y', { x: 'ｱ', y: 'ア' }, true],
  ['x < y', { x: 1n, y: null }, false],
  ['x >= y', { x: 3n, y: 3n }, true],
  ['x && y', { x: false, y: null }, true],
  ['x && y', { x: null, y: false }, false], // CEL absorbs the error: the library's answer
  ['x || y', { x: true, y: 1n }, true],
  ['x || y', { x: false, y: 1n }, false],
  ['!x', { x: null }, false],
  ['x ? 1 : 2', { x: true }, true],
  ['x ? 1 : 2', { x: null }, false],
  ['x.size()', { x: [1n, 2n] }, true],
  ['s.size()', { s: '髙橋😀' }, true],
  ['x[1]', { x: [1n, 2n] }, true],
  ['x[2]', { x: [1n, 2n] }, false],
  ['x.a', { x: new Map([['a', 1n]]) }, true],
  ['x.b', { x: new Map([['a', 1n]]) }, false],
  ['x.map(v, v * 2)', { x: [1n, 2n] }, true],
  ['x.map(v, v > 1, v * 2)', { x: [1n, 2n] }, true],
  ['x.filter(v, v > 1)', { x: [1n, 2n, 3n] }, true],
  ['x.all(v, v > 0)', { x: [1n, 2n] }, true],
  ['x.exists(v, v > 1)', { x: [1n, 2n] }, true],
  ['x.exists_one(v, v > 0)', { x: [1n, 2n] }, true],
  ['x.exists(v, v > 1)', { x: [null, 2n] }, false],
  ['x.map(v, x.map(w, v + w))', { x: [1n, 2n] }, true],
  ['x.birth_date', { x: member }, true],
  ['x.nosuch', { x: member }, false],
  ['x.age', { x: null }, false],
  ['all_of(x)', { x: [true, null] }, true],
  ['round_up(x, 10000)', { x: 12001n }, true],
  ['max(x, 0)', { x: null }, false],
  ['kintowari_exempt(x, 2024)', { x: member }, true],
  ['tax(x, 2024).total_income', { x: member }, false], // no record: the library's error
  ['dyn(x)', { x: 1n }, true],
  ['size(x)', { x: 'abc' }, true],
];

describe('compiled CEL gives the library\'s value wherever it answers by itself', () => {
  it.each(CASES)('%s with %o', (expr, input, answers) => {
    const parsed = env.parse(expr);
    const compiled = compileCel(parsed.ast)!;
    expect(compiled, 'the expression compiles').toBeDefined();
    const reference = attempt(() => parsed(input));
    const own = attempt(() => compiled(input));
    expect('value' in own, 'whether the closure answers without the library').toBe(answers);
    if ('value' in own) expect(own).toEqual(reference);
    // With the fall-back, the engine sees exactly the library's value or error.
    expect(attempt(() => expressionRun(parsed as never, compiled)(input))).toEqual(reference);
  });

  it('leaves expressions with nodes it does not compile to the library', () => {
    for (const expr of ['x in [1, 2]', '{"a": 1}.a', 'has(x.a)', 'b"ab".size()', '1u + 2u']) {
      expect(compileCel(env.parse(expr).ast), expr).toBeUndefined();
    }
  });
});

/** The program with every expression run by the library alone: the reference. */
const interpretedProgram = (program: Program): Program => ({ ...program, versions: program.versions.map((v) => ({ ...v, expressions: interpretedOnly(v.expressions) })) });

describe('on a generated municipality, every program with expressions decides the same compiled as with the library alone', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const asOf = '2024-12-13';
  let decisions: DecisionRow[];
  const withExpressions = PROGRAMS.filter((p) => p.program.versions.some((v) => v.expressions.facts.length + v.expressions.amounts.size > 0));

  beforeAll(async () => {
    env = await postgresWithRedis();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-compile-cel-'));
    const { files } = await generateMunicipality({ households: 1500, seed: 'compile-cel', municipalityCode: m, outDir: dir });
    for (const kind of ['residents', 'income', 'accounts', 'circumstances'] as const) {
      expect((await importFile(env, kind, files[kind])).rejectedRows).toBe(0);
    }
    await runNightly(nightlyContext(env, PROGRAMS), asOf, false);
    decisions = [];
    for await (const d of await decisionsInForce(env.db, asOf, { municipalityCode: m })) decisions.push(d);
  });
  afterAll(() => env?.close());

  it('has the four 2023-2024 rounds to check', () => {
    expect(withExpressions.map((p) => p.program.spec.id).sort()).toEqual(['price-relief-2023-exempt', 'price-relief-2023-kintowari-only', 'price-relief-2024-newly-exempt', 'tax-cut-adjustment-2024']);
  });

  it('gives identical outcomes, amounts, recipients and explanations, and the closures answer most evaluations themselves', async () => {
    let answered = 0;
    let fellBack = 0;
    for (const compiled of withExpressions) {
      const reference: CompiledProgram = compileProgram(interpretedProgram(compiled.program));
      // Counts how often the closures answer without the library.
      for (const v of compiled.program.versions) {
        for (const run of [...v.expressions.facts.map((f) => f.run), ...v.expressions.amounts.values()]) {
          const closure = run.compiled!;
          expect(closure, 'every expression of the shipped folders compiles').toBeDefined();
          run.compiled = (input) => {
            try {
              const value = closure(input);
              answered++;
              return value;
            } catch (error) {
              fellBack++;
              throw error;
            }
          };
        }
      }
      const mine = decisions.filter((d) => d.program === compiled.program.spec.id);
      expect(mine.length).toBeGreaterThan(1000);
      for (const d of mine) {
        const args = [(await decisionInputs(env.db, d))!, d.as_of, d.engine_version, d.subject_person_id || undefined] as const;
        const a = await evaluateHousehold(compiled, ...args);
        const b = await evaluateHousehold(reference, ...args);
        expect(JSON.stringify(a), `${d.program} ${d.household_id}`).toBe(JSON.stringify(b));
      }
    }
    expect(answered).toBeGreaterThan(10 * fellBack);
  }, 120_000);
});
