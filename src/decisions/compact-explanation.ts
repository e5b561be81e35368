import { isDeepStrictEqual } from 'node:util';
import { amountUnknownCondition, membersCondition, type AmountStep, type ConditionResult, type Explanation } from '../engine/evaluate-household.ts';
import { incomeYearFor } from '../engine/household-facts.ts';
import { parameterOn } from '../rules/parameter-value.ts';
import { versionOn, type Program } from '../rules/program-loader.ts';
import { jsonbOrder } from './jsonb-order.ts';
import type { AmountComponent, ConditionSpec } from '../rules/program-schema.ts';

/**
 * Issue 15: an explanation as stored, values only. Whatever the decision's row or its rule
 * version's files already say (program name, rules file, condition labels, citations, texts,
 * operators, the derived facts' names) is left out and put back on read. The values are one
 * JSON text (`v`: a jsonb tree of small values costs several times their text). The conditions
 * SQL looks for stay in jsonb under their full name: `conditions` holds only those the engine
 * adds on its own judgement (辞退, a 確認書 awaited), in full.
 */
export interface CompactExplanation {
  v: string;
  conditions?: ConditionResult[];
}

/**
 * The values `v` holds, as an array in the order of VALUE_KEYS (no names to store); trailing
 * values that are absent (0) left out.
 */
interface Values {
  /** Members registered on the membership date (the first condition). */
  n: number;
  /** amount.total_yen (what a case not paid would pay). */
  t: number;
  /** The program's conditions in its rules' order: [value, result], [value, result, threshold] or [value, result, threshold, error]; a full condition where none fits. */
  c: (unknown[] | ConditionResult)[];
  /** The membership date, when it is not the program's for the decision's as-of date. */
  m?: string;
  /** Derived facts' values in the rules' order, or as an object when the names differ. */
  f?: unknown[] | Record<string, unknown>;
  /** Amount steps (compactStep). */
  s: (unknown[] | AmountStep)[];
  /** Conditions on amounts the records could not give, one per step with an error, last. */
  u?: 1;
  /** The recipient's reason: its index in recipientReasons, or the text. */
  r: number | string;
}

const VALUE_KEYS = ['n', 't', 'c', 's', 'r', 'f', 'm', 'u'] as const;

function packValues(values: Values): string {
  const packed = VALUE_KEYS.map((k) => values[k] ?? 0);
  while (packed.length > 0 && packed[packed.length - 1] === 0) packed.pop();
  return JSON.stringify(packed);
}

function unpackValues(text: string): Values {
  const packed = JSON.parse(text) as unknown[];
  const values = Object.fromEntries(VALUE_KEYS.map((k, i) => [k, packed[i] ?? 0])) as Record<string, unknown>;
  for (const k of ['f', 'm', 'u']) if (values[k] === 0) delete values[k];
  return values as unknown as Values;
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

/**
 * The reasons src/engine/recipient.ts gives for a recipient, for the fiscal year whose income
 * decides. Stored explanations name a reason by its index here: append only, never reword (a
 * changed wording is a new engine version, whose reasons are added at the end).
 */
function recipientReasons(fiscalYear: number): string[] {
  const reiwa = fiscalYear - 2018;
  return [
    '世帯主',
    '本人',
    '同じ世帯の父または母',
    '父母が同じ世帯にいないため、児童を監護し生計を維持する世帯主',
    '父母の所得情報がないため、世帯主側の父または母',
    '父母の所得が同額のため、世帯主側の父または母',
    `父母のうち令和${reiwa}年度の合計所得金額が高い方（生計を維持する程度の高い者）`,
    '世帯主（父母の所得情報なし）',
    '父母の所得が同額のため世帯主',
    `父母のうち令和${reiwa}年度の合計所得金額が高い方`,
  ];
}

export function isCompact(e: unknown): e is CompactExplanation {
  return typeof e === 'object' && e !== null && typeof (e as { v?: unknown }).v === 'string';
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
  const unknownAmounts = e.amount.steps.filter((s) => s.error !== undefined).length;
  const extra = e.conditions.slice(1 + ofSpecs.length, e.conditions.length - unknownAmounts);
  const factNames = version.expressions.facts.map((f) => f.name);
  const reason = recipientReasons(incomeYearFor(e.evaluation_date)).indexOf(e.recipient.reason_ja);
  const values: Values = {
    n: memberCount,
    t: e.amount.total_yen,
    c: ofSpecs.map((c, i) => compactCondition(c, specs[i])),
    ...(e.membership_date !== row.membership_date && { m: e.membership_date }),
    ...(e.facts && { f: sameKeys(e.facts, factNames) ? factNames.map((name) => e.facts![name]) : e.facts }),
    s: e.amount.steps.map((s) => compactStep(version.rules.amount.components, s)),
    ...(unknownAmounts > 0 && { u: 1 as const }),
    r: reason >= 0 ? reason : e.recipient.reason_ja,
  };
  const compact: CompactExplanation = { v: packValues(values), ...(extra.length > 0 && { conditions: extra }) };
  // Read back as stored (through JSON), before its keys are put in jsonb's order (which cannot differ).
  const expanded = expandUnordered(program, JSON.parse(JSON.stringify(compact)) as CompactExplanation, row);
  return sameJson(expanded, e) ? compact : e;
}

/** The full explanation of a stored one: a compact one expanded, a full one (older decisions, staff's) as it is. */
export function expandExplanation(program: Program, stored: CompactExplanation | Explanation, row: DecisionFacts): Explanation {
  return isCompact(stored) ? (inJsonbOrder(expandUnordered(program, stored, row)) as Explanation) : stored;
}

function expandUnordered(program: Program, stored: CompactExplanation, row: DecisionFacts): Explanation {
  const values = unpackValues(stored.v);
  const date = row.effective_from;
  const version = versionOn(program, date);
  if (!version) throw new Error(`${row.program} ${row.rule_version} has no rules in force on ${date}, which its decision was made for`);
  const specs = version.rules.conditions;
  const components = version.rules.amount.components;
  const factNames = version.expressions.facts.map((f) => f.name);
  const steps = values.s.map((s) => (Array.isArray(s) ? expandStep(program, components, s, date) : s));
  const e: Explanation = {
    program: row.program,
    program_name_ja: program.spec.name.ja,
    rule_version: row.rule_version,
    engine_version: row.engine_version,
    rules_file: version.file,
    evaluation_date: date,
    membership_date: values.m ?? row.membership_date ?? '',
    outcome: row.outcome,
    conditions: [
      membersCondition(values.n),
      ...values.c.map((c, i) => (Array.isArray(c) ? expandCondition(c, specs[i]) : c)),
      ...(stored.conditions ?? []),
      ...(values.u ? steps.filter((s) => s.error !== undefined).map(amountUnknownCondition) : []),
    ],
    ...(values.f && { facts: Array.isArray(values.f) ? Object.fromEntries(factNames.map((name, i) => [name, (values.f as unknown[])[i]])) : values.f }),
    amount: { total_yen: values.t, paid: row.outcome === 'eligible', period_kind: row.period_kind, steps },
    recipient: { person_id: row.recipient_person_id, reason_ja: typeof values.r === 'number' ? recipientReasons(incomeYearFor(date))[values.r] : values.r },
  };
  return e;
}

/**
 * Whether two values are the same JSON: a member whose value is undefined is absent, and
 * undefined in an array is null. Walked in place: serialising both was a tenth of a full
 * nightly's worker CPU. Anything JSON would change (NaN, -0) compares unequal, so such an
 * explanation is stored in full.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return !Object.is(a, -0);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(x)) {
    if (x[k] === undefined) continue;
    defined++;
    if (!sameJson(x[k], y[k])) return false;
  }
  for (const k of Object.keys(y)) if (y[k] !== undefined) defined--;
  return defined === 0;
}

/**
 * A value with its keys in the order PostgreSQL's jsonb keeps them (shorter keys first, then
 * by bytes) and undefined members left out: an expanded explanation prints exactly as the full
 * one stored in a jsonb column did.
 */
function inJsonbOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inJsonbOrder);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of jsonbOrder(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = inJsonbOrder(v);
  }
  return out;
}

function sameKeys(o: Record<string, unknown>, names: string[]): boolean {
  const keys = Object.keys(o);
  return keys.length === names.length && names.every((n) => n in o);
}

function conditionText(spec: ConditionSpec, result: boolean | null): string {
  return result === null ? (spec.text_ja.unknown ?? spec.text_ja.fail) : result ? spec.text_ja.pass : spec.text_ja.fail;
}

function compactCondition(c: ConditionResult, spec: ConditionSpec | undefined): unknown[] | ConditionResult {
  if (!spec) return c;
  if (c.error !== undefined) return [c.value, c.result, c.threshold, c.error];
  return isDeepStrictEqual(c.threshold, spec.value) ? [c.value, c.result] : [c.value, c.result, c.threshold];
}

function expandCondition([value, result, ...rest]: unknown[], spec: ConditionSpec): ConditionResult {
  const r = result as boolean | null;
  return {
    id: spec.name, fact: spec.fact, params: spec.params, value, operator: spec.operator, threshold: rest.length ? rest[0] : spec.value, result: r,
    ...(rest.length > 1 && { error: rest[1] as string }), citation: spec.citation, text_ja: conditionText(spec, r),
  };
}

/**
 * A step as [component index, yen] (flat and expression components; an expression's error third), or
 * [component index, yen, person, birth order, age, tier index or -1] (per member).
 */
function compactStep(components: AmountComponent[], s: AmountStep): unknown[] | AmountStep {
  const index = components.findIndex((c) => c.id === s.component);
  const component = components[index];
  if (!component) return s;
  if (component.kind === 'expression') return s.error === undefined ? [index, s.value_yen] : [index, s.value_yen, s.error];
  if (s.error !== undefined) return s;
  if (component.kind === 'flat') return [index, s.value_yen];
  const tier = component.tiers.findIndex((t) => t.text_ja === s.text_ja && t.parameter === s.parameter);
  return [index, s.value_yen, s.person_id, s.birth_order ?? null, s.age ?? null, tier];
}

function expandStep(program: Program, components: AmountComponent[], [index, value, person, birthOrder, age, tierIndex]: unknown[], date: string): AmountStep {
  const component = components[index as number];
  const source = (name: string) => parameterOn(program.parameters, name, date)?.source;
  if (component.kind === 'flat') {
    return { component: component.id, text_ja: component.text_ja, parameter: component.parameter, value_yen: value as number, citation: source(component.parameter)! };
  }
  if (component.kind === 'expression') {
    return { component: component.id, text_ja: component.text_ja, value_yen: value as number, citation: component.citation, ...(person !== undefined && { error: person as string }) };
  }
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
