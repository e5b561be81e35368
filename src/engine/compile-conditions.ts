import type { Engine } from 'json-rules-engine';

/**
 * json-rules-engine's condition JSON, as rules files give it: all / any / not over fact
 * conditions whose value is a literal or another fact ({ fact, params }).
 */
export type ConditionTree =
  | { all: ConditionTree[] }
  | { any: ConditionTree[] }
  | { not: ConditionTree }
  | FactCondition;

export interface FactCondition {
  name?: string;
  fact: string;
  params?: Record<string, unknown>;
  operator: string;
  value: unknown;
}

/** What json-rules-engine records on each fact condition of a rule result; explanations are built from it. */
export interface ConditionOutcome {
  name?: string;
  fact: string;
  operator: string;
  factResult: unknown;
  valueResult: unknown;
  result: boolean;
}

/** A fact's value for its params; called at most once per evaluation for each (fact, params) the conditions name. */
export type FactLookup = (fact: string, params: Record<string, unknown>) => unknown;

/** Evaluates the tree: its result, and the outcome of each fact condition in the order written. */
export type ConditionsEvaluator = (facts: FactLookup) => { result: boolean; conditions: ConditionOutcome[] };

interface EngineOperator {
  evaluate(factValue: unknown, compareTo: unknown): boolean;
}

interface Run {
  facts: FactLookup;
  values: unknown[];
  known: boolean[];
  conditions: ConditionOutcome[];
}

type Node = (run: Run) => boolean;

/**
 * Compiles a condition tree once into synchronous closures, so evaluating it costs neither
 * json-rules-engine's deep clone of the conditions on every run nor a promise per fact and
 * condition. The semantics are json-rules-engine's own, which stays the reference
 * (evaluateHouseholdReference):
 * - the operators are taken from `engine`, so the comparison (including the number check of
 *   lessThan & co. and any operator registered on it) is the same code;
 * - every condition of an all/any is evaluated, as json-rules-engine evaluates a set of equal
 *   priority together (explanations show every condition's value), then every/some `=== true`;
 *   an empty all or any holds;
 * - facts are computed lazily, each (fact, params) once per evaluation, like the almanac's cache.
 * What rules/ never uses is refused rather than approximated: priorities (they change the
 * order and short-circuit), `path` (JSONPath) and condition references.
 */
export function compileConditions(tree: ConditionTree, engine: Engine): ConditionsEvaluator {
  const operators = (engine as unknown as { operators: { get(name: string): EngineOperator | null } }).operators;
  const slots: { fact: string; params: Record<string, unknown> }[] = [];
  const slotKeys = new Map<string, number>();
  const slotOf = (fact: string, params: Record<string, unknown> = {}) => {
    const key = JSON.stringify([fact, params]);
    let slot = slotKeys.get(key);
    if (slot === undefined) {
      slot = slots.length;
      slotKeys.set(key, slot);
      slots.push({ fact, params });
    }
    return slot;
  };
  const valueOf = (run: Run, slot: number) => {
    if (!run.known[slot]) {
      run.values[slot] = run.facts(slots[slot].fact, slots[slot].params);
      run.known[slot] = true;
    }
    return run.values[slot];
  };
  let conditionCount = 0;

  const compile = (c: ConditionTree): Node => {
    for (const unsupported of ['priority', 'path', 'condition']) {
      if (unsupported in c) throw new Error(`compileConditions: '${unsupported}' is not supported (${JSON.stringify(c)})`);
    }
    if ('all' in c || 'any' in c) {
      const all = 'all' in c;
      const children = (all ? (c as { all: ConditionTree[] }).all : (c as { any: ConditionTree[] }).any).map(compile);
      if (children.length === 0) return () => true;
      if (children.length === 1) return (run) => children[0](run) === true;
      return (run) => {
        let met = 0;
        for (const child of children) if (child(run) === true) met++;
        return all ? met === children.length : met > 0;
      };
    }
    if ('not' in c) {
      const child = compile(c.not);
      return (run) => !child(run);
    }
    const operator = operators.get(c.operator);
    if (!operator) throw new Error(`Unknown operator: ${c.operator}`);
    const left = slotOf(c.fact, c.params);
    // json-rules-engine's almanac.getValue: an object with a `fact` is another fact's value.
    const value = c.value as { fact?: string; params?: Record<string, unknown>; path?: string } | null;
    const isFact = value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, 'fact');
    if (isFact && value!.path !== undefined) throw new Error(`compileConditions: 'path' is not supported (${JSON.stringify(c)})`);
    const right = isFact ? slotOf(value!.fact!, value!.params) : -1;
    const index = conditionCount++;
    const { name, fact, operator: operatorName } = c;
    return (run) => {
      const valueResult = right < 0 ? c.value : valueOf(run, right);
      const factResult = valueOf(run, left);
      const result = operator.evaluate(factResult, valueResult);
      run.conditions[index] = { name, fact, operator: operatorName, factResult, valueResult, result };
      return result;
    };
  };

  const root = compile(tree);
  return (facts) => {
    const run: Run = { facts, values: new Array(slots.length), known: new Array(slots.length).fill(false), conditions: new Array(conditionCount) };
    const result = root(run);
    return { result, conditions: run.conditions };
  };
}
