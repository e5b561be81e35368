import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { allHouseholds } from '../src/batch/batch.repository.ts';
import type { DB, RecordKind } from '../src/db/schema.ts';
import { compileProgram, evaluateHousehold, evaluateHouseholdReference, membershipDate, type CompiledProgram } from '../src/engine/evaluate-household.ts';
import type { HouseholdSnapshot } from '../src/engine/household-snapshot.ts';
import { interpretedOnly } from '../src/engine/program-expressions.ts';
import { loadPrograms, programFromFiles, type Program } from '../src/rules/program-loader.ts';
import { loadHouseholdSnapshots } from '../src/residents/household-snapshot.repository.ts';
import { fmt } from './measure.ts';
import { loadStoreDirectly } from './store-loader.ts';

const RULES = fileURLToPath(new URL('../rules', import.meta.url));
const LOW_INCOME = path.join(RULES, 'low-income-household-2024');

/**
 * The same program twice: as the engine had it before the expression layer (conditions on the
 * built-in TypeScript facts, こども加算 a per-member component), and as expressions (derived
 * facts in CEL and an expression amount). Same decisions, so the figures compare the cost of
 * the language alone.
 */
function lowIncomeAsExpressions(): Program {
  const files = Object.fromEntries(fs.readdirSync(LOW_INCOME).map((f) => [f, fs.readFileSync(path.join(LOW_INCOME, f), 'utf8')]));
  const rules = JSON.parse(files['rules.json']);
  rules.facts = {
    everyone_exempt: { type: 'dyn', description_ja: '世帯全員が令和6年度の均等割非課税', expr: 'all_of(members.map(m, kintowari_exempt(m, 2024)))' },
    only_dependants_of_taxed: { type: 'dyn', description_ja: '課税者の扶養親族等のみの世帯', expr: 'all_of(members.map(m, dependant_of_taxed(m, 2024)))' },
    children: {
      type: 'int',
      description_ja: 'こども加算の対象となる児童の数',
      expr: "members.filter(m, m.birth_date >= params.child_born_on_or_after && m.relationship != '世帯主' && !m.facility_placement).size()",
    },
  };
  rules.conditions[0] = { ...rules.conditions[0], fact: 'everyone_exempt', params: undefined };
  rules.conditions[1] = { ...rules.conditions[1], fact: 'only_dependants_of_taxed', params: undefined };
  rules.amount.components[1] = { id: 'children', kind: 'expression', expr: 'children * params.child_amount', text_ja: 'こども加算', citation: rules.amount.components[1].citation };
  return programFromFiles(LOW_INCOME, { ...files, 'rules.json': JSON.stringify(rules) });
}

type Evaluate = typeof evaluateHousehold | typeof evaluateHouseholdReference;

/** One pass of a program over the snapshots (in memory: no database in the timing): seconds and each decision's outcome. */
async function pass(compiled: CompiledProgram, snapshots: HouseholdSnapshot[], asOf: string, evaluate: Evaluate = evaluateHousehold) {
  const outcomes: string[] = [];
  const start = process.hrtime.bigint();
  for (const s of snapshots) {
    const subjects = compiled.program.spec.subject === 'person' ? s.members.map((m) => m.person_id) : [undefined];
    for (const subject of subjects) {
      const r = evaluate(compiled, s, asOf, undefined, subject);
      // Awaited only when a promise (json-rules-engine): the compiled path is synchronous, as deciding calls it.
      const e = r instanceof Promise ? await r : r;
      outcomes.push(`${e?.outcome}/${e?.amount_yen}/${e?.recipient_person_id}`);
    }
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, outcomes };
}

/**
 * Decisions per second of each program, the best of `rounds` passes taken in turns (A, B, A,
 * B, …), so warm-up and garbage collection fall on both alike.
 */
async function throughputs(programs: CompiledProgram[], snapshots: HouseholdSnapshot[], asOf: string, rounds: number, evaluators: Evaluate[] = []) {
  const best = programs.map(() => ({ seconds: Infinity, outcomes: [] as string[] }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, compiled] of programs.entries()) {
      const r = await pass(compiled, snapshots, asOf, evaluators[i]);
      if (r.seconds < best[i].seconds) best[i] = r;
    }
  }
  return best.map((b) => ({ decisions_per_second: b.outcomes.length / b.seconds, evaluations: b.outcomes.length, seconds: b.seconds, outcomes: b.outcomes }));
}

/**
 * Evaluation throughput with expressions next to the figure before them, in the same run, on
 * snapshots of a generated municipality read once from PostgreSQL; and the 2023–2024 rounds,
 * which are written in expressions only.
 */
export async function benchExpressions(db: Kysely<DB>, databaseUrl: string, municipality: string, files: Partial<Record<RecordKind, string>>) {
  await loadStoreDirectly(databaseUrl, files);
  const households = await allHouseholds(db, municipality);
  const before = compileProgram(loadPrograms(LOW_INCOME)[0]);
  const after = compileProgram(lowIncomeAsExpressions());
  const snapshotsOn = async (program: Program, asOf: string) => {
    const membership = membershipDate(program, asOf)!;
    const snapshots: HouseholdSnapshot[] = [];
    for (let i = 0; i < households.length; i += 2000) {
      snapshots.push(...(await loadHouseholdSnapshots(db, municipality, households.slice(i, i + 2000), { membership, asOf, knownAt: new Date() })));
    }
    return snapshots;
  };
  const asOf = before.program.spec.base_date!;
  const snapshots = await snapshotsOn(before.program, asOf);
  // The engine before the expression layer (json-rules-engine on built-in facts), the program as
  // expressions, the built-in facts on today's compiled conditions, and the expressions run by
  // the library alone (not compiled to closures): in turns, on the same snapshots.
  const library = compileProgram({ ...after.program, versions: after.program.versions.map((v) => ({ ...v, expressions: interpretedOnly(v.expressions) })) });
  const [old, b, a, lib] = await throughputs([before, after, before, library], snapshots, asOf, 5, [evaluateHouseholdReference, evaluateHousehold, evaluateHousehold, evaluateHousehold]);
  const differing = [b, a, lib].reduce((n, x) => n + old.outcomes.filter((o, i) => o !== x.outcomes[i]).length, 0);
  const ratio = (x: { decisions_per_second: number }, y: { decisions_per_second: number }) => `${fmt(x.decisions_per_second / y.decisions_per_second, 2)}x`;
  console.log(
    `expressions: low-income-household-2024 over ${fmt(snapshots.length, 0)} households: before the expression layer (json-rules-engine, built-in facts) ${fmt(old.decisions_per_second, 0)}/s; ` +
      `as expressions ${fmt(b.decisions_per_second, 0)}/s (${ratio(b, old)}); built-in facts on the compiled conditions ${fmt(a.decisions_per_second, 0)}/s (expressions ${ratio(b, a)} of it); ` +
      `expressions by the library alone ${fmt(lib.decisions_per_second, 0)}/s (${ratio(lib, a)}); ${differing} decisions differ`,
  );
  const rounds: Record<string, { decisions_per_second: number; evaluations: number }> = {};
  for (const program of loadPrograms(RULES).filter((p) => /^(price-relief|tax-cut)/.test(p.spec.id))) {
    const on = program.spec.base_date!;
    const [r] = await throughputs([compileProgram(program)], await snapshotsOn(program, on), on, 1);
    rounds[program.spec.id] = { decisions_per_second: r.decisions_per_second, evaluations: r.evaluations };
    console.log(`expressions: ${program.spec.id}: ${fmt(r.evaluations, 0)} evaluations, ${fmt(r.decisions_per_second, 0)}/s`);
  }
  // Conditions compiled to closures next to json-rules-engine, the reference they replaced (issue 15).
  const compiledConditions: Record<string, { compiled_per_second: number; reference_per_second: number; decisions_differing: number }> = {};
  for (const program of loadPrograms(RULES)) {
    const on = program.spec.period_kind === 'once' ? program.spec.base_date! : asOf;
    const compiled = compileProgram(program);
    const [c, r] = await throughputs([compiled, compiled], await snapshotsOn(program, on), on, 2, [evaluateHousehold, evaluateHouseholdReference]);
    const differ = c.outcomes.filter((o, i) => o !== r.outcomes[i]).length;
    compiledConditions[program.spec.id] = { compiled_per_second: c.decisions_per_second, reference_per_second: r.decisions_per_second, decisions_differing: differ };
    console.log(
      `expressions: ${program.spec.id}: compiled conditions ${fmt(c.decisions_per_second, 0)}/s, json-rules-engine ${fmt(r.decisions_per_second, 0)}/s ` +
        `(${fmt(c.decisions_per_second / r.decisions_per_second, 2)}x); ${differ} decisions differ`,
    );
  }
  return {
    households: snapshots.length,
    compiled_conditions: compiledConditions,
    before_expression_layer: { decisions_per_second: old.decisions_per_second, seconds: old.seconds },
    built_in_facts: { decisions_per_second: a.decisions_per_second, seconds: a.seconds },
    expressions: { decisions_per_second: b.decisions_per_second, seconds: b.seconds },
    expressions_library_alone: { decisions_per_second: lib.decisions_per_second, seconds: lib.seconds },
    ratio_expressions_to_before: b.decisions_per_second / old.decisions_per_second,
    ratio_expressions_to_built_in: b.decisions_per_second / a.decisions_per_second,
    decisions_differing: differing,
    rounds,
  };
}
