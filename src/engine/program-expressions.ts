import type { Environment } from '@marcbachmann/cel-js';
import { compileCel, type Closure } from './compile-cel.ts';
import { parameterOn } from '../rules/parameter-value.ts';
import type { Parameters } from '../rules/program-schema.ts';
import { baseEnvironment, CelAccount, CelDecision, CelMember, CelTaxRecord, VARIABLES } from './expression-environment.ts';
import type { HouseholdSnapshot } from './household-snapshot.ts';
import type { MemberFacts } from './member-facts.ts';

/** The types a derived fact may declare (CEL type names). */
export const FACT_TYPES = ['bool', 'int', 'string', 'list<string>', 'list<int>', 'dyn'] as const;
export type FactType = (typeof FACT_TYPES)[number];

export interface DerivedFactSpec {
  type: FactType;
  description_ja: string;
  expr: string;
}

/**
 * An expression parsed and type-checked once per rule version. `run` is what the engine calls:
 * the compiled closure, and the library's evaluation where the closure leaves the answer to
 * it (compile-cel.ts); `interpreted` is the library's alone, the reference the tests compare with.
 */
export interface Run {
  (input: Record<string, unknown>): unknown;
  interpreted: Closure;
  compiled?: Closure;
}

/** The closure where it answers, else the library: what the library alone would give, errors included. */
export function expressionRun(interpreted: Closure, compiled: Closure | undefined): Run {
  const run = ((input) => {
    if (run.compiled) {
      try {
        return run.compiled(input);
      } catch {
        // The closure leaves this one to the library (compile-cel.ts).
      }
    }
    // The library's errors are expected (a record the municipality does not hold) and only their
    // message is kept: no stack trace is taken, which cost more than the evaluation itself.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return interpreted(input);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }) as Run;
  return Object.assign(run, { interpreted, compiled });
}

/** A rules file's expressions, parsed and type-checked once per rule version. */
export interface CompiledExpressions {
  facts: { name: string; type: FactType; run: Run }[];
  amounts: Map<string, Run>;
}

/** The same expressions run by the library alone: the reference the tests and the bench compare with. */
export function interpretedOnly(expressions: CompiledExpressions): CompiledExpressions {
  const reference = (run: Run) => expressionRun(run.interpreted, undefined);
  return {
    facts: expressions.facts.map((f) => ({ ...f, run: reference(f.run) })),
    amounts: new Map([...expressions.amounts].map(([id, run]) => [id, reference(run)])),
  };
}

/** What evaluating a rules file's derived facts gave: JSON values (null: unknown), and why each unknown one failed. */
export interface DerivedFacts {
  values: Record<string, unknown>;
  errors: Record<string, string>;
  input: Record<string, unknown>;
}

let base: Environment | undefined;

/**
 * Parses and type-checks a rules file's derived facts (in order: a fact may use those before
 * it) and expression amounts. Problems name the file, the fact and the reason.
 */
export function compileExpressions(
  file: string,
  facts: Record<string, DerivedFactSpec>,
  amounts: { id: string; expr: string }[],
): { compiled: CompiledExpressions; problems: string[] } {
  base ??= baseEnvironment();
  const env = base.clone();
  const problems: string[] = [];
  const compiled: CompiledExpressions = { facts: [], amounts: new Map() };
  const check = (where: string, expr: string, expected: string): Run | undefined => {
    const result = env.check(expr);
    if (!result.valid) {
      problems.push(`${file} ${where}: ${result.error?.message.replace(/\n/g, '\n    ')}`);
      return undefined;
    }
    if (expected !== 'dyn' && result.type !== expected && result.type !== 'dyn') {
      problems.push(`${file} ${where}: declared ${expected}, but the expression gives ${result.type}`);
      return undefined;
    }
    const parsed = env.parse(expr);
    return expressionRun(parsed as unknown as Closure, compileCel(parsed.ast));
  };
  for (const [name, spec] of Object.entries(facts)) {
    if (name in VARIABLES) {
      problems.push(`${file} facts.${name}: the name of a variable every expression has (${Object.keys(VARIABLES).join(', ')})`);
      continue;
    }
    const run = check(`facts.${name}`, spec.expr, spec.type);
    if (run) compiled.facts.push({ name, type: spec.type, run });
    // Registered even when broken, so later facts are checked against its declared type.
    env.registerVariable(name, spec.type);
  }
  for (const a of amounts) {
    const run = check(`amount ${a.id}`, a.expr, 'int');
    if (run) compiled.amounts.set(a.id, run);
  }
  return { compiled, problems };
}

/** What the expressions read: the snapshot and the members' facts on the evaluation date. */
export interface ExpressionScope {
  snapshot: HouseholdSnapshot;
  members: MemberFacts[];
  parameters: Parameters;
  evaluationDate: string;
  recipientId: string | undefined;
  subjectId?: string;
  engineVersion: string;
}

/** Evaluates the derived facts in order; a fact whose expression fails (e.g. on a record the municipality does not hold) is unknown. */
export function evaluateFacts(compiled: CompiledExpressions, scope: ExpressionScope): DerivedFacts {
  return new LazyFacts(compiled, scope).all();
}

/**
 * A rules file's derived facts for one evaluation, each evaluated when first read, together with
 * those before it (which it may use): a household a `concerns` condition leaves out reads only
 * what that condition names. In the same order, so with the same values, as evaluateFacts.
 */
export class LazyFacts {
  readonly #values: Record<string, unknown> = {};
  readonly #errors: Record<string, string> = {};
  #input: Record<string, unknown> | undefined;
  #next = 0;

  constructor(
    private readonly compiled: CompiledExpressions,
    private readonly scope: ExpressionScope,
  ) {}

  /** Whether the name is one of the file's derived facts. */
  has(name: string): boolean {
    return this.compiled.facts.some((f) => f.name === name);
  }

  value(name: string): unknown {
    while (!(name in this.#values) && this.#next < this.compiled.facts.length) this.#evaluateNext();
    return this.#values[name];
  }

  all(): DerivedFacts {
    while (this.#next < this.compiled.facts.length) this.#evaluateNext();
    return { values: this.#values, errors: this.#errors, input: (this.#input ??= expressionInput(this.scope)) };
  }

  #evaluateNext(): void {
    const input = (this.#input ??= expressionInput(this.scope));
    const { name, type, run } = this.compiled.facts[this.#next++];
    try {
      const value = run(input);
      const mismatch = typeMismatch(type, value);
      if (mismatch) throw new Error(mismatch);
      input[name] = value;
      this.#values[name] = toJson(value);
    } catch (error) {
      input[name] = null;
      this.#values[name] = null;
      this.#errors[name] = firstLine(error);
    }
  }
}

/** An expression amount in yen; null with the reason when it cannot be computed. */
export function evaluateAmount(run: Run, facts: DerivedFacts): { yen: number | null; error?: string } {
  try {
    const value = run(facts.input);
    return typeof value === 'bigint' ? { yen: Number(value) } : { yen: null, error: `not an amount: ${String(value)}` };
  } catch (error) {
    return { yen: null, error: firstLine(error) };
  }
}

/** Parameter values on a date as CEL values, once per parameters file and date. */
const paramsCache = new WeakMap<Parameters, Map<string, Map<string, unknown>>>();

function paramsOn(parameters: Parameters, date: string): Map<string, unknown> {
  let byDate = paramsCache.get(parameters);
  if (!byDate) paramsCache.set(parameters, (byDate = new Map()));
  let params = byDate.get(date);
  if (!params) {
    params = new Map();
    for (const name of Object.keys(parameters)) {
      const value = parameterOn(parameters, name, date)?.value;
      if (value !== undefined) params.set(name, toCel(value));
    }
    byDate.set(date, params);
  }
  return params;
}

/** Every dated value of every parameter, once per parameters file: `value_on(parameters.x, date)`. */
const datedCache = new WeakMap<Parameters, Map<string, Map<string, unknown>[]>>();

function datedParameters(parameters: Parameters): Map<string, Map<string, unknown>[]> {
  let dated = datedCache.get(parameters);
  if (!dated) {
    dated = new Map(Object.entries(parameters).map(([name, p]) => [name, p.values.map((v) => new Map<string, unknown>([['from', v.from], ['to', v.to ?? null], ['value', toCel(v.value)]]))]));
    datedCache.set(parameters, dated);
  }
  return dated;
}

// Loops rather than closures: this runs for every household a program with expressions decides.
function expressionInput(scope: ExpressionScope): Record<string, unknown> {
  const { snapshot } = scope;
  const members: CelMember[] = new Array(snapshot.members.length);
  for (let i = 0; i < members.length; i++) members[i] = new CelMember(snapshot.members[i], scope.members[i], snapshot, scope.engineVersion);
  return {
    members,
    recipient: memberById(members, scope.recipientId),
    subject: memberById(members, scope.subjectId),
    date: scope.evaluationDate,
    membership_date: scope.snapshot.membership_date,
    params: paramsOn(scope.parameters, scope.evaluationDate),
    parameters: datedParameters(scope.parameters),
  };
}

function memberById(members: CelMember[], id: string | undefined): CelMember | null {
  if (id !== undefined) for (const m of members) if (m.source.person_id === id) return m;
  return null;
}

function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  return value;
}

/** A value of the wrong type at run time (an expression typed `dyn`, e.g. a parameter): why, or undefined. */
function typeMismatch(type: FactType, value: unknown): string | undefined {
  if (value === null || type === 'dyn') return undefined;
  const scalar = { bool: 'boolean', int: 'bigint', string: 'string' }[type as 'bool' | 'int' | 'string'];
  const ok = scalar ? typeof value === scalar : Array.isArray(value) && value.every((v) => typeof v === (type === 'list<int>' ? 'bigint' : 'string'));
  return ok ? undefined : `declared ${type}, but the expression gave ${Array.isArray(value) ? 'a list of other values' : typeof value}`;
}

/** A CEL value as JSON (stored in the explanation and compared by json-rules-engine). */
function toJson(value: unknown): unknown {
  if (typeof value !== 'object') return typeof value === 'bigint' ? Number(value) : value ?? null;
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, toJson(v)]));
  if (value instanceof CelMember) return value.source.person_id;
  if (value instanceof CelTaxRecord) return value.record;
  if (value instanceof CelDecision) return value.decision;
  if (value instanceof CelAccount) return { source: value.source, bank_code: value.bank_code, branch_code: value.branch_code, usable: value.usable };
  return value ?? null;
}

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0];
