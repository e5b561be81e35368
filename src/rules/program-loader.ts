import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { HOUSEHOLD_FACTS } from '../engine/household-facts.ts';
import { MEMBER_FACT_NAMES } from '../engine/member-facts.ts';
import { compileExpressions, type CompiledExpressions } from '../engine/program-expressions.ts';
import { UnusableInputError } from '../errors.ts';
import {
  casesSchema,
  NOTICE_TEMPLATE_PLACEHOLDERS,
  parametersSchema,
  programSchema,
  rulesVersionSchema,
  type NoticeText,
  type Parameters,
  type ProgramSpec,
  type RuleCase,
  type RulesVersion,
} from './program-schema.ts';

export interface ProgramVersion {
  from: string;
  to?: string;
  file: string;
  rules: RulesVersion;
  /** Its derived facts and expression amounts, parsed and type-checked once. */
  expressions: CompiledExpressions;
}

/** A program folder, validated, with the hash that every decision made with it records. */
export interface Program {
  spec: ProgramSpec;
  parameters: Parameters;
  versions: ProgramVersion[];
  cases: RuleCase[];
  /** sha256 over the folder's files (names and bytes), first 16 hex digits. */
  ruleVersion: string;
  /** The folder's files as read, so a decision can be replayed with exactly these rules. */
  files: Record<string, string>;
}

export class ProgramInvalidError extends UnusableInputError {
  constructor(readonly dir: string, readonly problems: string[]) {
    super('program_invalid', `${dir}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`, { dir, problems });
  }
}

/** Reads and validates one program folder. */
export function loadProgram(dir: string): Program {
  if (!fs.existsSync(path.join(dir, 'program.json'))) {
    throw new ProgramInvalidError(dir, ['no program.json: not a program folder']);
  }
  const files: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (fs.statSync(file).isFile()) files[name] = fs.readFileSync(file, 'utf8');
  }
  return programFromFiles(dir, files);
}

/** Validates a program from its files' contents (a folder on disk, or one recorded for replay). */
export function programFromFiles(dir: string, files: Record<string, string>): Program {
  const problems: string[] = [];
  const parse = <T extends z.ZodType>(name: string, schema: T): z.output<T> | undefined => {
    if (files[name] === undefined) {
      problems.push(`${name}: missing`);
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(files[name]);
    } catch (error) {
      problems.push(`${name}: not valid JSON (${(error as Error).message})`);
      return undefined;
    }
    const result = schema.safeParse(json);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push(`${name} ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      return undefined;
    }
    return result.data;
  };
  const spec = parse('program.json', programSchema);
  const parameters = parse('parameters.json', parametersSchema) ?? {};
  const cases = parse('cases.json', casesSchema) ?? [];
  const versions: ProgramVersion[] = [];
  for (const v of spec?.versions ?? []) {
    const rules = parse(v.rules, rulesVersionSchema);
    if (!rules) continue;
    const amounts = rules.amount.components.flatMap((c) => (c.kind === 'expression' ? [{ id: c.id, expr: c.expr }] : []));
    const { compiled, problems: expressionProblems } = compileExpressions(v.rules, rules.facts, amounts);
    problems.push(...expressionProblems);
    versions.push({ from: v.from, to: v.to, file: v.rules, rules, expressions: compiled });
  }
  if (spec && spec.id !== path.basename(dir)) problems.push(`program.json id: '${spec.id}' differs from the folder name '${path.basename(dir)}'`);
  if (spec?.period_kind === 'once' && !spec.base_date) problems.push('program.json base_date: required for a program paid once');
  if (spec?.subject === 'person') {
    cases.forEach((c, i) => c.subject_person_id === undefined && problems.push(`cases.json ${i}: subject_person_id: required for a program with subject 'person'`));
  }
  if (spec?.reads_decisions.includes(spec.id)) problems.push('program.json reads_decisions: a program cannot read its own decisions');
  for (const v of versions) {
    if ((v.rules.recipient === 'subject') !== (spec?.subject === 'person')) problems.push(`${v.file} recipient: 'subject' goes with, and only with, program.json subject 'person'`);
  }
  for (const v of versions) problems.push(...unknownParameters(v, parameters), ...unknownFacts(v));
  if (spec?.notice) problems.push(...noticeTextProblems(spec.notice, versions));
  for (const [name, p] of Object.entries(parameters)) problems.push(...overlaps(name, p.values));
  if (problems.length || !spec) throw new ProgramInvalidError(dir, problems);
  return { spec, parameters, versions, cases, ruleVersion: hashFiles(files), files };
}

/** Every program folder under a rules directory (a folder with program.json counts as one). */
export function loadPrograms(rulesDir: string): Program[] {
  if (!fs.existsSync(rulesDir)) throw new UnusableInputError('rules_missing', `${rulesDir}: no such folder`);
  if (fs.existsSync(path.join(rulesDir, 'program.json'))) return [loadProgram(rulesDir)];
  return fs
    .readdirSync(rulesDir)
    .sort()
    .map((name) => path.join(rulesDir, name))
    .filter((dir) => fs.existsSync(path.join(dir, 'program.json')))
    .map(loadProgram);
}

/** The version of the rules in force on a date, if any. */
export function versionOn(program: Program, date: string): ProgramVersion | undefined {
  return program.versions.find((v) => v.from <= date && (!v.to || date <= v.to));
}

export function appliesTo(program: Program, municipalityCode: string): boolean {
  const m = program.spec.municipalities;
  return m === 'all' || m.includes(municipalityCode);
}

function hashFiles(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(name).update('\0').update(files[name]).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function unknownFacts(version: ProgramVersion): string[] {
  const derived = Object.keys(version.rules.facts);
  const clashes = derived.filter((name) => HOUSEHOLD_FACTS[name] || MEMBER_FACT_NAMES.includes(name)).map((name) => `${version.file} facts.${name}: a built-in fact has this name`);
  const { facts: _expressions, ...rest } = version.rules;
  const used = JSON.stringify(rest).matchAll(/"fact":"([^"]+)"/g);
  const known = new Set([...Object.keys(HOUSEHOLD_FACTS), ...MEMBER_FACT_NAMES, ...derived]);
  return [
    ...clashes,
    ...[...new Set([...used].map((m) => m[1]))]
      .filter((name) => !known.has(name))
      .map((name) => `${version.file}: unknown fact '${name}' (known: ${[...known].join(', ')})`),
  ];
}

/** Conditions the engine adds to every program's explanation (src/engine/evaluate-household.ts). */
const ENGINE_CONDITIONS = ['household_has_members', 'declined'];

/** A resident sentence names a condition the program has, and only placeholders the notices fill. */
function noticeTextProblems(notice: NoticeText, versions: ProgramVersion[]): string[] {
  const names = new Set([
    ...ENGINE_CONDITIONS,
    ...versions.flatMap((v) => [
      ...v.rules.conditions.map((c) => c.name),
      ...v.rules.amount.components.flatMap((c) => (c.kind === 'per_member' && c.birth_order?.unconfirmed ? [c.birth_order.unconfirmed.condition.name] : [])),
    ]),
  ]);
  const problems = Object.keys(notice.resident_ja)
    .filter((name) => !names.has(name))
    .map((name) => `program.json notice.resident_ja.${name}: no condition of that name (known: ${[...names].join(', ')})`);
  const templates: [string, string | undefined][] = [
    ['membership_ja', notice.membership_ja],
    ...Object.entries(notice.resident_ja).flatMap(([name, s]) => Object.entries(s).map(([result, text]): [string, string] => [`resident_ja.${name}.${result}`, text])),
  ];
  for (const [where, text] of templates) {
    for (const m of (text ?? '').matchAll(/\{([^}]*)\}/g)) {
      if (!(NOTICE_TEMPLATE_PLACEHOLDERS as readonly string[]).includes(m[1])) {
        problems.push(`program.json notice.${where}: unknown placeholder {${m[1]}} (known: ${NOTICE_TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`);
      }
    }
  }
  return problems;
}

/** Dated values must not overlap: on any date at most one value is in force. */
function overlaps(name: string, values: { from: string; to?: string }[]): string[] {
  const sorted = [...values].sort((a, b) => a.from.localeCompare(b.from));
  return sorted.slice(1).flatMap((v, i) => {
    const before = sorted[i];
    return !before.to || before.to >= v.from ? [`parameters.json ${name}: the value from ${before.from} has no end before ${v.from}`] : [];
  });
}

function unknownParameters(version: ProgramVersion, parameters: Parameters): string[] {
  const used = JSON.stringify(version.rules).matchAll(/"parameter":"([^"]+)"/g);
  const problems = [...new Set([...used].map((m) => m[1]))]
    .filter((name) => !parameters[name])
    .map((name) => `${version.file}: parameter '${name}' is not in parameters.json`);
  // Expressions read parameters as params.name or parameters.name (maps, so CEL's checker cannot know the names).
  const expressions = [
    ...Object.entries(version.rules.facts).map(([name, f]) => [`facts.${name}`, f.expr]),
    ...version.rules.amount.components.flatMap((c) => (c.kind === 'expression' ? [[`amount ${c.id}`, c.expr]] : [])),
  ];
  for (const [where, expr] of expressions) {
    for (const m of expr.matchAll(/\bparam(?:eter)?s(?:\.([a-z0-9_]+)|\[["']([^"']+)["']\])/g)) {
      const name = m[1] ?? m[2];
      if (!parameters[name]) problems.push(`${version.file} ${where}: parameter '${name}' is not in parameters.json`);
    }
  }
  return problems;
}
