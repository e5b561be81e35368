import type { Citation, Parameters } from './program-schema.ts';

export interface ParameterValue {
  name: string;
  value: number | string | number[];
  from: string;
  source: Citation;
}

/** A parameter's value in force on a date (OpenFisca-style dated values with explicit ends). */
export function parameterOn(parameters: Parameters, name: string, date: string): ParameterValue | undefined {
  const p = parameters[name];
  const v = p?.values.find((x) => x.from <= date && (!x.to || date <= x.to));
  return v && { name, value: v.value, from: v.from, source: v.source };
}
