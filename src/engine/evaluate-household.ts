import { Engine, Fact } from 'json-rules-engine';
import type { Program, ProgramVersion } from '../rules/program-loader.ts';
import { appliesTo, versionOn } from '../rules/program-loader.ts';
import { parameterOn } from '../rules/parameter-value.ts';
import type { Citation, ConditionSpec, Operator, Threshold } from '../rules/program-schema.ts';
import { endOfPreviousMonth, firstOfMonth } from './calendar.ts';
import { CONTEXT_FACT, HOUSEHOLD_FACTS, incomeYearFor, registerFacts, type FactContext } from './household-facts.ts';
import type { HouseholdSnapshot } from './household-snapshot.ts';
import { memberFacts, type MemberFacts } from './member-facts.ts';
import { compare, memberPasses } from './member-test.ts';
import { chooseRecipient, type RecipientChoice } from './recipient.ts';
import { explanationText } from './explanation-text.ts';
import { evaluateAmount, LazyFacts } from './program-expressions.ts';
import { compileConditions, type ConditionsEvaluator, type FactLookup } from './compile-conditions.ts';

/**
 * Recorded on every decision with the rule version: a decision replays with both as recorded.
 * 2: the law-exact engine (issue 12): under 3 through the month of the 3rd birthday, the
 * children's parents first as recipient, 施行令第1条・第3条 income and dependants, minors and
 * tax-treaty exemptions, circumstances. 1 is kept for replaying decisions it made.
 */
export const ENGINE_VERSION = '2';
export const ENGINE_VERSIONS = ['1', ENGINE_VERSION];

export type Outcome = 'eligible' | 'ineligible' | 'review';

export interface ConditionResult {
  id: string;
  fact: string;
  params?: Record<string, unknown>;
  value: unknown;
  operator: string;
  threshold: unknown;
  /** true, false, or null when the fact is unknown from the records held. */
  result: boolean | null;
  /** Why a derived fact is unknown: its expression failed on what the records hold. */
  error?: string;
  citation: Citation;
  text_ja: string;
}

export interface AmountStep {
  component: string;
  person_id?: string;
  birth_order?: number;
  age?: number;
  text_ja: string;
  parameter?: string;
  value_yen: number;
  citation: Citation;
  /** An expression amount the records could not give (value_yen is then 0): why. */
  error?: string;
}

export interface Explanation {
  program: string;
  program_name_ja: string;
  rule_version: string;
  engine_version: string;
  rules_file: string;
  evaluation_date: string;
  membership_date: string;
  outcome: Outcome;
  conditions: ConditionResult[];
  /** The program's derived facts (its expressions) as evaluated; absent for programs without. */
  facts?: Record<string, unknown>;
  amount: { total_yen: number; paid: boolean; period_kind: 'monthly' | 'once'; steps: AmountStep[] };
  recipient: { person_id: string | null; reason_ja: string };
}

export interface Evaluation {
  program: string;
  outcome: Outcome;
  amount_yen: number;
  recipient_person_id: string | null;
  period_kind: 'monthly' | 'once';
  /** The first day of the month paid (monthly) or the base date (once). */
  evaluation_date: string;
  rule_version: string;
  engine_version: string;
  explanation: Explanation;
  /** The explanation in Japanese, rendered on each read. */
  readonly explanation_text: string;
  /** False when the household has no members, or fails a condition marked `concerns`. */
  concerned: boolean;
}

/**
 * A program built once per rules version: its conditions compiled to closures (what deciding
 * runs), and the json-rules-engine engine they were compiled from (the reference, with the same
 * operators: evaluateHouseholdReference).
 */
export interface CompiledProgram {
  program: Program;
  conditions: Map<ProgramVersion, ConditionsEvaluator>;
  /** The conditions marked `concerns` alone, where there are others too: see evaluateHousehold. */
  concerns: Map<ProgramVersion, { specs: ConditionSpec[]; evaluate: ConditionsEvaluator }>;
  engines: Map<ProgramVersion, Engine>;
}

export function compileProgram(program: Program): CompiledProgram {
  const engines = new Map<ProgramVersion, Engine>();
  const conditions = new Map<ProgramVersion, ConditionsEvaluator>();
  const concerns = new Map<ProgramVersion, { specs: ConditionSpec[]; evaluate: ConditionsEvaluator }>();
  for (const version of program.versions) {
    const engine = new Engine([], { allowUndefinedFacts: false });
    const derived = version.expressions.facts.map((f) => f.name);
    const named = version.rules.conditions.flatMap((c) => [c.fact, ...(typeof c.value === 'object' && !Array.isArray(c.value) ? ['parameter' in c.value ? 'parameter' : c.value.fact] : [])]);
    registerFacts(engine, [...new Set(named)].filter((name) => !derived.includes(name)), derived);
    const tree = { all: version.rules.conditions.map(toEngineCondition) };
    engine.addRule({ name: program.spec.id, conditions: tree, event: { type: 'eligible' } });
    engines.set(version, engine);
    conditions.set(version, compileConditions(tree, engine));
    const specs = version.rules.conditions.filter((c) => c.concerns);
    if (specs.length > 0 && specs.length < version.rules.conditions.length) {
      concerns.set(version, { specs, evaluate: compileConditions({ all: specs.map(toEngineCondition) }, engine) });
    }
  }
  return { program, conditions, concerns, engines };
}

/** Whose household composition the program looks at for a decision as of `asOf`. */
export function membershipDate(program: Program, asOf: string): string | undefined {
  const date = evaluationDate(program, asOf);
  const version = versionOn(program, date);
  if (!version) return undefined;
  return version.rules.membership === 'base_date' ? program.spec.base_date! : endOfPreviousMonth(asOf);
}

/**
 * The program's decision for one household as of a date, with its explanation; undefined when
 * the program is not in force then or not run by the household's municipality. Pure: the
 * snapshot is all it reads. Synchronous: the conditions run as compiled closures.
 */
export function evaluateHousehold(
  compiled: CompiledProgram,
  snapshot: HouseholdSnapshot,
  asOf: string,
  engineVersion: string = ENGINE_VERSION,
  /** For a program with `subject: person`: the member decided ('' or none for a household). */
  subjectId?: string,
): Evaluation | undefined {
  const setUp = setUpEvaluation(compiled.program, snapshot, asOf, engineVersion, subjectId);
  if (!setUp) return undefined;
  if (snapshot.members.length === 0) return decided(setUp, []);
  const { ctx, version } = setUp;
  const facts: FactLookup = (name, params) => factValue(name, params, ctx);
  const conditions = () => compiled.conditions.get(version)!(facts).conditions;
  // A household a `concerns` condition leaves out is ineligible and not concerned whatever the
  // other conditions and the amount say: they are evaluated only if its explanation is read
  // (most households for 児童手当, every non-taxpayer for the 定額減税 adjustment).
  const concerns = compiled.concerns.get(version);
  if (concerns) {
    const evaluated = concerns.evaluate(facts).conditions;
    if (concerns.specs.some((spec, i) => conditionOutcome(spec, evaluated[i]).result === false)) {
      return new Decided(setUp, 'ineligible', 0, false, () => decided(setUp, conditions()).explanation);
    }
  }
  return decided(setUp, conditions());
}

/**
 * The same decision through json-rules-engine, the reference the compiled conditions must
 * reproduce byte for byte (test/engine/compiled-conditions.test.ts compares them).
 */
export async function evaluateHouseholdReference(
  compiled: CompiledProgram,
  snapshot: HouseholdSnapshot,
  asOf: string,
  engineVersion: string = ENGINE_VERSION,
  subjectId?: string,
): Promise<Evaluation | undefined> {
  const setUp = setUpEvaluation(compiled.program, snapshot, asOf, engineVersion, subjectId);
  if (!setUp) return undefined;
  let evaluated: EngineCondition[] = [];
  if (snapshot.members.length > 0) {
    // Uncached: json-rules-engine would otherwise hash the whole snapshot on every run.
    const run = await compiled.engines.get(setUp.version)!.run({ [CONTEXT_FACT]: new Fact(CONTEXT_FACT, setUp.ctx, { cache: false }) });
    const ruleResult = run.results[0] ?? run.failureResults[0];
    evaluated = (ruleResult.conditions as unknown as { all: EngineCondition[] }).all;
  }
  return decided(setUp, evaluated);
}

interface SetUp {
  program: Program;
  version: ProgramVersion;
  snapshot: HouseholdSnapshot;
  date: string;
  engineVersion: string;
  recipient: RecipientChoice;
  ctx: FactContext;
}

/** The version in force, recipient and facts' context; undefined when the program does not decide. */
function setUpEvaluation(program: Program, snapshot: HouseholdSnapshot, asOf: string, engineVersion: string, subjectId: string | undefined): SetUp | undefined {
  if (!appliesTo(program, snapshot.municipality_code)) return undefined;
  // A one-off program is decided from its base date on, never ahead of it.
  if (program.spec.period_kind === 'once' && asOf < program.spec.base_date!) return undefined;
  const date = evaluationDate(program, asOf);
  const version = versionOn(program, date);
  if (!version) return undefined;
  const rules = version.rules;

  const recipient = rules.recipient === 'subject'
    ? subjectAsRecipient(snapshot, subjectId)
    : chooseRecipient(snapshot, rules.recipient, incomeYearFor(date), date, engineVersion);
  const members = snapshot.members.map((m) => memberFacts(m, date, recipient, engineVersion));
  const ctx: FactContext = {
    snapshot, members, parameters: program.parameters, evaluationDate: date, recipientId: recipient.person?.person_id, recipient, engineVersion, subjectId,
  };
  if (version.expressions.facts.length) ctx.derived = new LazyFacts(version.expressions, ctx);
  return { program, version, snapshot, date, engineVersion, recipient, ctx };
}

/**
 * The outcome and amount from the conditions as evaluated (by either path). The explanation is
 * built when first read: most evaluations write no decision (a nightly writes about a third, a
 * simulation reads a few as samples), so most explanations were built for nothing.
 */
function decided(setUp: SetUp, evaluated: EngineCondition[]): Evaluation {
  const { program, version, snapshot, recipient, ctx } = setUp;
  const specs = snapshot.members.length > 0 ? version.rules.conditions : [];
  const found = specs.map((spec) => evaluated.find((c) => c.name === spec.name));
  const declined = recipient.person?.circumstances?.some((c) => c.circumstance === 'declined' && c.program === program.spec.id) ?? false;
  let failed = snapshot.members.length === 0 || declined;
  let unknown = false;
  let concerned = snapshot.members.length > 0;
  specs.forEach((spec, i) => {
    const result = conditionOutcome(spec, found[i]).result;
    if (result === false) {
      failed = true;
      if (spec.concerns) concerned = false;
    } else if (result === null) unknown = true;
  });
  const steps = amountSteps(program, version, ctx);
  const total = steps.reduce((sum, s) => sum + s.value_yen, 0);
  const confirmation = unconfirmedCondition(program, version, ctx, total);
  if (confirmation || steps.some((s) => s.error !== undefined)) unknown = true;
  const outcome: Outcome = failed ? 'ineligible' : unknown || !recipient.person ? 'review' : 'eligible';
  return new Decided(setUp, outcome, total, concerned, () => ({
    program: program.spec.id,
    program_name_ja: program.spec.name.ja,
    rule_version: program.ruleVersion,
    engine_version: setUp.engineVersion,
    rules_file: version.file,
    evaluation_date: setUp.date,
    membership_date: snapshot.membership_date,
    outcome,
    conditions: [
      membersCondition(snapshot.members.length),
      ...specs.map((spec, i) => conditionResult(spec, found[i], ctx.derived?.all().errors[spec.fact])),
      ...(declined ? [declinedCondition()] : []),
      ...(confirmation ? [confirmation] : []),
      ...steps.flatMap((s) => (s.error === undefined ? [] : [amountUnknownCondition(s)])),
    ],
    ...(ctx.derived && { facts: ctx.derived.all().values }),
    amount: { total_yen: total, paid: outcome === 'eligible', period_kind: program.spec.period_kind, steps },
    recipient: { person_id: recipient.person?.person_id ?? null, reason_ja: recipient.reason_ja },
  }));
}

/**
 * An evaluation. A class, so that every one shares its shape and the getters (an object literal
 * with a getter of its own is built slowly, and a copy of it ran the getter).
 */
class Decided implements Evaluation {
  readonly program: string;
  readonly outcome: Outcome;
  readonly amount_yen: number;
  readonly recipient_person_id: string | null;
  readonly period_kind: 'monthly' | 'once';
  readonly evaluation_date: string;
  readonly rule_version: string;
  readonly engine_version: string;
  readonly concerned: boolean;
  #explain: (() => Explanation) | undefined;
  #explanation: Explanation | undefined;

  constructor(setUp: SetUp, outcome: Outcome, total: number, concerned: boolean, explain: () => Explanation) {
    this.program = setUp.program.spec.id;
    this.outcome = outcome;
    this.amount_yen = outcome === 'eligible' ? total : 0;
    this.recipient_person_id = setUp.recipient.person?.person_id ?? null;
    this.period_kind = setUp.program.spec.period_kind;
    this.evaluation_date = setUp.date;
    this.rule_version = setUp.program.ruleVersion;
    this.engine_version = setUp.engineVersion;
    this.concerned = concerned;
    this.#explain = explain;
  }

  get explanation(): Explanation {
    if (!this.#explanation) {
      this.#explanation = this.#explain!();
      this.#explain = undefined;
    }
    return this.#explanation;
  }

  /** Rendered when read: a written decision stores no text. */
  get explanation_text(): string {
    return explanationText(this.explanation);
  }

  /** The whole evaluation, explanation and text included (the getters are not own properties). */
  toJSON() {
    const { explanation, explanation_text } = this;
    return { ...this, explanation, explanation_text };
  }
}

/** A person-level program's recipient is the person decided. */
function subjectAsRecipient(snapshot: HouseholdSnapshot, subjectId: string | undefined): RecipientChoice {
  const person = snapshot.members.find((m) => m.person_id === subjectId);
  return { person, parents: [], reason_ja: '本人' };
}

/** An expression amount that could not be computed from the records: the case needs a person. */
export function amountUnknownCondition(step: AmountStep): ConditionResult {
  return {
    id: `amount_${step.component}`,
    fact: step.component,
    value: null,
    operator: 'computable',
    threshold: null,
    result: null,
    error: step.error,
    citation: step.citation,
    text_ja: `${step.text_ja}を市の記録から計算できません（職員の確認が必要です）`,
  };
}

/**
 * Every program decides for the people registered in the household on the membership date; a
 * household with none (all moved out or died) is decided ineligible, so its benefit stops.
 */
export function membersCondition(count: number): ConditionResult {
  return {
    id: 'household_has_members',
    fact: 'member_count',
    value: count,
    operator: 'greaterThanInclusive',
    threshold: 1,
    result: count >= 1,
    citation: { title: '住民基本台帳法（昭和42年法律第81号）', article: '第6条（世帯を単位とする住民票）', url: 'https://laws.e-gov.go.jp/law/342AC0000000081' },
    text_ja: count >= 1 ? '判定日に住民登録のある世帯員がいます' : '判定日に住民登録のある世帯員がいません（転出・死亡など）',
  };
}

/**
 * The recipient declined the benefit (辞退届, circumstance `declined` for this program): nothing
 * is paid while it stands, and the decision says so.
 */
function declinedCondition(): ConditionResult {
  return {
    id: 'declined',
    fact: 'recipient_has_circumstance',
    params: { circumstance: 'declined' },
    value: true,
    operator: 'equal',
    threshold: false,
    result: false,
    citation: { title: '受給辞退の届出', article: '受給者の申出により、届出の効力が生じた日以後の分を支給しない' },
    text_ja: '受給者から受給を辞退する旨の届出があったため、支給しません',
  };
}

/**
 * Members who count for the birth order only once confirmed (a component's
 * `birth_order.unconfirmed`): when counting them would raise the amount, the case needs the
 * confirmation (児童手当: the 確認書) and is not decided on the lower amount. The condition's
 * value lists them.
 */
function unconfirmedCondition(program: Program, version: ProgramVersion, ctx: FactContext, total: number): ConditionResult | undefined {
  for (const component of version.rules.amount.components) {
    if (component.kind !== 'per_member' || !component.birth_order?.unconfirmed) continue;
    const { members: tests, condition } = component.birth_order.unconfirmed;
    const pending = ctx.members.filter((m) => memberPasses(m, tests, program.parameters, ctx.evaluationDate));
    if (pending.length === 0) continue;
    const confirmed = amountSteps(program, version, ctx, new Set(pending)).reduce((sum, s) => sum + s.value_yen, 0);
    if (confirmed <= total) continue;
    return {
      id: condition.name,
      fact: 'unconfirmed_birth_order_members',
      value: pending.map((m) => m.person_id),
      operator: 'confirmed',
      threshold: confirmed,
      result: null,
      citation: condition.citation,
      text_ja: condition.text_ja,
    };
  }
  return undefined;
}

/** Monthly programs decide a month (ages on its first day); one-off programs their base date. */
function evaluationDate(program: Program, asOf: string): string {
  return program.spec.period_kind === 'once' ? program.spec.base_date! : firstOfMonth(asOf);
}

/** A condition as evaluated: json-rules-engine's rule result, or the compiled conditions' ConditionOutcome. */
interface EngineCondition {
  name?: string;
  factResult?: unknown;
  valueResult?: unknown;
  result?: boolean;
}

/** A {parameter} threshold becomes json-rules-engine's fact reference to the `parameter` fact. */
function engineValue(value: Threshold) {
  return typeof value === 'object' && !Array.isArray(value) && 'parameter' in value
    ? { fact: 'parameter', params: { name: value.parameter } }
    : value;
}

function toEngineCondition(c: ConditionSpec) {
  return { name: c.name, fact: c.fact, params: c.params, operator: c.operator, value: engineValue(c.value) };
}

/** A built-in fact or the program's derived fact, as the engine's conditions see it. */
function factValue(name: string, params: Record<string, unknown> | undefined, ctx: FactContext): unknown {
  return ctx.derived?.has(name) ? ctx.derived.value(name) : HOUSEHOLD_FACTS[name].compute(params ?? {}, ctx);
}

/** Evaluates a household test outside the engine (amount components), with the same facts. */
function householdTestHolds(test: { fact: string; params?: Record<string, unknown>; operator: Operator; value: Threshold }, ctx: FactContext): boolean {
  const fact = factValue(test.fact, test.params, ctx);
  const v = engineValue(test.value);
  const threshold = typeof v === 'object' && !Array.isArray(v) ? factValue(v.fact, v.params, ctx) : v;
  if (fact === null || threshold === null) return false;
  return compare(test.operator, fact, threshold as string | number | boolean | string[]);
}

/** A condition's value, threshold and result (null: unknown) as evaluated. */
function conditionOutcome(spec: ConditionSpec, evaluated: EngineCondition | undefined) {
  const value = evaluated?.factResult ?? null;
  const threshold = evaluated?.valueResult !== undefined ? evaluated.valueResult : spec.value;
  return { value, threshold, result: value === null || threshold === null ? null : Boolean(evaluated?.result) };
}

function conditionResult(spec: ConditionSpec, evaluated: EngineCondition | undefined, error: string | undefined): ConditionResult {
  const { value, threshold, result } = conditionOutcome(spec, evaluated);
  const text = result === null ? (spec.text_ja.unknown ?? spec.text_ja.fail) : result ? spec.text_ja.pass : spec.text_ja.fail;
  return {
    id: spec.name, fact: spec.fact, params: spec.params, value, operator: spec.operator, threshold, result, ...(error !== undefined && { error }), citation: spec.citation, text_ja: text,
  };
}

/** The amount's steps; `alsoOrdered` are members counted for the birth order as if confirmed. */
function amountSteps(program: Program, version: ProgramVersion, ctx: FactContext, alsoOrdered = new Set<MemberFacts>()): AmountStep[] {
  const { members, evaluationDate: date } = ctx;
  const param = (name: string) => {
    const p = parameterOn(program.parameters, name, date);
    if (!p || typeof p.value !== 'number') throw new Error(`${program.spec.id}: parameter ${name} has no amount on ${date}`);
    return p;
  };
  const steps: AmountStep[] = [];
  for (const component of version.rules.amount.components) {
    if (component.kind === 'flat') {
      const p = param(component.parameter);
      steps.push({ component: component.id, text_ja: component.text_ja, parameter: p.name, value_yen: p.value as number, citation: p.source });
      continue;
    }
    if (component.kind === 'expression') {
      const { yen, error } = evaluateAmount(version.expressions.amounts.get(component.id)!, (ctx.derived ?? new LazyFacts(version.expressions, ctx)).all());
      steps.push({ component: component.id, text_ja: component.text_ja, value_yen: yen ?? 0, citation: component.citation, ...(error !== undefined && { error }) });
      continue;
    }
    if (!component.applies_if.every((test) => householdTestHolds(test, ctx))) continue;
    const ordered = component.birth_order
      ? members.filter((m) => alsoOrdered.has(m) || memberPasses(m, component.birth_order!.among, program.parameters, date)).sort((a, b) => a.birth_date.localeCompare(b.birth_date) || a.person_id.localeCompare(b.person_id))
      : [];
    for (const member of members.filter((m) => memberPasses(m, component.members, program.parameters, date))) {
      const order = ordered.indexOf(member) + 1 || undefined;
      const facts = { ...member, birth_order: order ?? 0 };
      const tier = component.tiers.find((t) => memberPasses(facts, t.when, program.parameters, date));
      const p = tier ? param(tier.parameter) : undefined;
      steps.push({
        component: component.id,
        person_id: member.person_id,
        birth_order: order,
        age: member.age,
        text_ja: tier?.text_ja ?? '該当する区分なし',
        parameter: p?.name,
        value_yen: (p?.value as number) ?? 0,
        citation: p?.source ?? component.citation,
      });
    }
  }
  return steps;
}
