import { isDeepStrictEqual } from 'node:util';
import { membersCondition, type AmountStep, type ConditionResult, type Explanation } from '../engine/evaluate-household.ts';
import { parameterOn } from '../rules/parameter-value.ts';
import { versionOn, type Program } from '../rules/program-loader.ts';
import type { AmountComponent, ConditionSpec } from '../rules/program-schema.ts';

/**
 * Issue 15: an explanation as stored, values only. Whatever the decision's row or its rule
 * version's files already say (program name, rules file, condition labels, citations, texts,
 * operators) is left out and put back on read. Kept under their full names, so SQL reads them
 * as before: `amount.total_yen`, and `conditions`, which holds only the conditions the engine
 * adds itself (辞退, a 確認書 awaited, an amount the records cannot give) in full.
 */
export interface CompactExplanation {
  v: 1;
  /** Members registered on the membership date (the first condition). */
  n: number;
  /** The program's conditions in its rules' order: [value, result] or [value, result, threshold]; a full condition where it differs. */
  c: (unknown[] | ConditionResult)[];
  conditions?: ConditionResult[];
  /** The membership date, when it is not the program's for the decision's as-of date. */
  m?: string;
  f?: Record<string, unknown>;
  amount: { total_yen: number; steps: (unknown[] | AmountStep)[] };
  r: string;
}

/** What the decision's row says, which the explanation repeats. */
export interface DecisionFacts {
  program: string;
  rule_version: string;
  engine_version: string;
  outcome: Explanation['outcome'];
  effective_from: string;
  period_kind: 'monthly' | 'once';
  recipient_person_id: string | null;
  /** The membership date the program reads for this decision (membershipDate of its as-of date). */
  membership_date: string | undefined;
}

export function isCompact(e: unknown): e is CompactExplanation {
  return typeof e === 'object' && e !== null && (e as { v?: unknown }).v === 1;
}

/**
 * The compact form of `e`, or `e` itself when the compact form would not expand back to exactly
 * `e` (checked here, so a stored explanation always reads back as it was made).
 */
export function compactExplanation(program: Program, e: Explanation, row: DecisionFacts): CompactExplanation | Explanation {
  const version = versionOn(program, e.evaluation_date);
  if (!version) return e;
  const specs = version.rules.conditions;
  const memberCount = e.conditions[0]?.id === 'household_has_members' ? e.conditions[0].value : undefined;
  if (typeof memberCount !== 'number') return e;
  const ofSpecs = memberCount > 0 ? e.conditions.slice(1, 1 + specs.length) : [];
  const extra = e.conditions.slice(1 + ofSpecs.length);
  const compact: CompactExplanation = {
    v: 1,
    n: memberCount,
    c: ofSpecs.map((c, i) => compactCondition(c, specs[i])),
    ...(extra.length > 0 && { conditions: extra }),
    ...(e.membership_date !== row.membership_date && { m: e.membership_date }),
    ...(e.facts && { f: e.facts }),
    amount: { total_yen: e.amount.total_yen, steps: e.amount.steps.map((s) => compactStep(version.rules.amount.components, s)) },
    r: e.recipient.reason_ja,
  };
  const expanded = expandExplanation(program, JSON.parse(JSON.stringify(compact)), row);
  return isDeepStrictEqual(expanded, JSON.parse(JSON.stringify(e))) ? compact : e;
}

/** The full explanation of a stored one: a compact one expanded, a full one (older decisions, staff's) as it is. */
export function expandExplanation(program: Program, stored: CompactExplanation | Explanation, row: DecisionFacts): Explanation {
  if (!isCompact(stored)) return stored;
  const date = row.effective_from;
  const version = versionOn(program, date);
  if (!version) throw new Error(`${row.program} ${row.rule_version} has no rules in force on ${date}, which its decision was made for`);
  const specs = version.rules.conditions;
  const components = version.rules.amount.components;
  const e: Explanation = {
    program: row.program,
    program_name_ja: program.spec.name.ja,
    rule_version: row.rule_version,
    engine_version: row.engine_version,
    rules_file: version.file,
    evaluation_date: date,
    membership_date: stored.m ?? row.membership_date ?? '',
    outcome: row.outcome,
    conditions: [
      membersCondition(stored.n),
      ...stored.c.map((c, i) => (Array.isArray(c) ? expandCondition(c, specs[i]) : c)),
      ...(stored.conditions ?? []),
    ],
    ...(stored.f && { facts: stored.f }),
    amount: {
      total_yen: stored.amount.total_yen,
      paid: row.outcome === 'eligible',
      period_kind: row.period_kind,
      steps: stored.amount.steps.map((s) => (Array.isArray(s) ? expandStep(program, components, s, date) : s)),
    },
    recipient: { person_id: row.recipient_person_id, reason_ja: stored.r },
  };
  return inJsonbOrder(e) as Explanation;
}

/**
 * A value with its keys in the order PostgreSQL's jsonb keeps them (shorter keys first, then
 * by bytes) and undefined members left out: an expanded explanation prints exactly as the full
 * one stored in a jsonb column did.
 */
function inJsonbOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inJsonbOrder);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  keys.sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(keys.map((k) => [k, inJsonbOrder((value as Record<string, unknown>)[k])]));
}

function conditionText(spec: ConditionSpec, result: boolean | null): string {
  return result === null ? (spec.text_ja.unknown ?? spec.text_ja.fail) : result ? spec.text_ja.pass : spec.text_ja.fail;
}

function compactCondition(c: ConditionResult, spec: ConditionSpec | undefined): unknown[] | ConditionResult {
  if (!spec || c.error !== undefined) return c;
  const tuple: unknown[] = [c.value, c.result];
  if (!isDeepStrictEqual(c.threshold, spec.value)) tuple.push(c.threshold);
  return tuple;
}

function expandCondition([value, result, ...threshold]: unknown[], spec: ConditionSpec): ConditionResult {
  const r = result as boolean | null;
  return {
    id: spec.name, fact: spec.fact, params: spec.params, value, operator: spec.operator, threshold: threshold.length ? threshold[0] : spec.value, result: r, citation: spec.citation, text_ja: conditionText(spec, r),
  };
}

/**
 * A step as [component index, yen] (flat and expression components), or
 * [component index, yen, person, birth order, age, tier index or -1] (per member).
 */
function compactStep(components: AmountComponent[], s: AmountStep): unknown[] | AmountStep {
  const index = components.findIndex((c) => c.id === s.component);
  const component = components[index];
  if (!component || s.error !== undefined) return s;
  if (component.kind !== 'per_member') return [index, s.value_yen];
  const tier = component.tiers.findIndex((t) => t.text_ja === s.text_ja && t.parameter === s.parameter);
  return [index, s.value_yen, s.person_id, s.birth_order ?? null, s.age ?? null, tier];
}

function expandStep(program: Program, components: AmountComponent[], [index, value, person, birthOrder, age, tierIndex]: unknown[], date: string): AmountStep {
  const component = components[index as number];
  const source = (name: string) => parameterOn(program.parameters, name, date)?.source;
  if (component.kind === 'flat') {
    return { component: component.id, text_ja: component.text_ja, parameter: component.parameter, value_yen: value as number, citation: source(component.parameter)! };
  }
  if (component.kind === 'expression') return { component: component.id, text_ja: component.text_ja, value_yen: value as number, citation: component.citation };
  const tier = component.tiers[tierIndex as number];
  return {
    component: component.id,
    person_id: person as string,
    birth_order: (birthOrder as number | null) ?? undefined,
    age: (age as number | null) ?? undefined,
    text_ja: tier?.text_ja ?? '該当する区分なし',
    parameter: tier?.parameter,
    value_yen: value as number,
    citation: (tier && source(tier.parameter)) ?? component.citation,
  };
}
