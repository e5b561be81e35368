import { parameterOn } from '../rules/parameter-value.ts';
import type { MemberTest, Operator, Parameters } from '../rules/program-schema.ts';
import type { MemberFacts } from './member-facts.ts';

type Value = string | number | boolean | string[];

/** json-rules-engine's comparison operators, for tests on one member's facts. */
export function compare(operator: Operator, fact: unknown, threshold: Value): boolean {
  switch (operator) {
    case 'equal': return fact === threshold;
    case 'notEqual': return fact !== threshold;
    case 'lessThan': return (fact as number) < (threshold as number);
    case 'lessThanInclusive': return (fact as number) <= (threshold as number);
    case 'greaterThan': return (fact as number) > (threshold as number);
    case 'greaterThanInclusive': return (fact as number) >= (threshold as number);
    case 'in': return (threshold as string[]).includes(fact as string);
    case 'notIn': return !(threshold as string[]).includes(fact as string);
  }
}

/** Whether every test holds for the member; {parameter} thresholds take their value on `date`. */
export function memberPasses(member: MemberFacts, tests: MemberTest[], parameters: Parameters, date: string): boolean {
  return tests.every((t) => {
    if ('any' in t) return t.any.some((alternative) => memberPasses(member, [alternative], parameters, date));
    const v = t.value;
    const threshold = typeof v === 'object' && !Array.isArray(v) ? ('parameter' in v ? parameterOn(parameters, v.parameter, date)?.value : undefined) : v;
    return threshold !== undefined && compare(t.operator, member[t.fact], threshold as Value);
  });
}
