import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Kysely, Transaction } from 'kysely';
import { allHouseholds, municipalityCodes } from '../batch/batch.repository.ts';
import type { DB } from '../db/schema.ts';
import { legalAge } from '../engine/legal-age.ts';
import { compileProgram, evaluateHousehold, type CompiledProgram, type Evaluation } from '../engine/evaluate-household.ts';
import type { HouseholdSnapshot } from '../engine/household-snapshot.ts';
import { UnusableInputError } from '../errors.ts';
import { readHouseholdHistories, type HouseholdHistories } from '../residents/household-snapshot.repository.ts';
import { snapshotDates, subjectsOf, withPriorDecisions } from '../decisions/decide.service.ts';
import { runCases } from '../rules/case-runner.ts';
import { appliesTo, versionOn, type Program } from '../rules/program-loader.ts';
import { headDistricts } from './simulation.repository.ts';

const PAGE = 2000;
const SAMPLE_PER_CATEGORY = 5;

export const CATEGORIES = ['newly_eligible', 'no_longer_eligible', 'amount_increased', 'amount_decreased', 'unchanged'] as const;
export type Category = (typeof CATEGORIES)[number];

/** One group of a breakdown: households, how many changed, and the difference in cost. */
export interface Group {
  households: number;
  changed: number;
  cost_delta_yen: number;
}

export interface SampleHousehold {
  household: string;
  category: Category;
  current: { outcome: string; amount_yen: number; explanation_text: string } | null;
  draft: { outcome: string; amount_yen: number; explanation_text: string };
}

export interface ProgramSimulation {
  program: string;
  name_ja: string;
  period_kind: 'monthly' | 'once';
  /** False when no rules of this program are in force: the draft's whole reach is new. */
  has_rules_in_force: boolean;
  evaluated: number;
  newly_eligible: number;
  no_longer_eligible: number;
  amount_increased: number;
  amount_decreased: number;
  unchanged: number;
  /** For monthly programs, per year (12 times the monthly amount in force on the as-of date). */
  cost_current_yen: number;
  cost_draft_yen: number;
  cost_delta_yen: number;
  by_head_age: Record<string, Group>;
  by_household_type: Record<string, Group>;
  by_district: Record<string, Group>;
  differences: { kind: 'parameter' | 'condition' | 'amount'; name: string; current: unknown; draft: unknown }[];
  sample: SampleHousehold[];
}

/** One changed household, as the CSV lists it. */
export interface ChangedHousehold {
  program: string;
  municipality_code: string;
  household: string;
  category: Category;
  current_outcome: string;
  current_amount_yen: number;
  draft_outcome: string;
  draft_amount_yen: number;
  head_age: string;
  household_type: string;
  district: string;
}

export interface SimulationSummary {
  as_of: string;
  masked: boolean;
  programs: ProgramSimulation[];
}

export interface SimulateInput {
  drafts: Program[];
  /** The rules in force (the rules folder). */
  inForce: Program[];
  asOf: string;
  /** Show household ids as they are; by default they are replaced by a pseudonym. */
  unmasked?: boolean;
  /** Only these municipalities (a supervisor's own); default every one in the database. */
  municipalityCodes?: string[];
  /** Each changed household as it is found (streamed to the CSV: memory stays bounded). */
  onChanged?: (row: ChangedHousehold) => void;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Evaluates draft programs and the rules in force side by side on the population as of a date,
 * and compares household by household. Read-only: everything is read in one read-only,
 * repeatable-read transaction, and nothing is written anywhere but the report. A draft whose
 * own cases fail is refused before anything is read.
 */
export async function simulate(db: Kysely<DB>, input: SimulateInput): Promise<SimulationSummary> {
  await checkDrafts(input.drafts);
  const pairs = input.drafts.map((draft) => {
    const current = input.inForce.find((p) => p.spec.id === draft.spec.id);
    return { draft: compileProgram(draft), current: current && compileProgram(current), result: emptyResult(draft, current, input.asOf) };
  });
  const emit = input.onChanged ?? (() => {});
  const mask = (household: string, m: string) => (input.unmasked ? household : `H-${createHash('sha256').update(`${m}|${household}`).digest('hex').slice(0, 8)}`);
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const codes = input.municipalityCodes ?? (await municipalityCodes(trx));
      const lists = new Map<string, string[]>();
      for (const m of codes) lists.set(m, await allHouseholds(trx, m));
      const total = [...lists.values()].reduce((n, l) => n + l.length, 0);
      let done = 0;
      for (const [m, households] of lists) {
        for (let i = 0; i < households.length; i += PAGE) {
          const ids = households.slice(i, i + PAGE);
          await simulatePage(trx, m, ids, input.asOf, pairs, [...input.drafts, ...input.inForce], mask, emit);
          done += ids.length;
          input.onProgress?.(done, total);
        }
      }
    });
  return { as_of: input.asOf, masked: !input.unmasked, programs: pairs.map((p) => p.result) };
}

async function checkDrafts(drafts: Program[]): Promise<void> {
  if (drafts.length === 0) throw new UnusableInputError('no_drafts', 'the --rules folder holds no program folder');
  const problems: string[] = [];
  for (const p of drafts) {
    for (const r of await runCases(p)) {
      if (!r.passed) problems.push(`${p.spec.id}: case "${r.name}" fails: expected ${JSON.stringify(r.expected)}, got ${JSON.stringify(r.actual)}`);
    }
  }
  if (problems.length) throw new UnusableInputError('draft_cases_fail', `the draft is refused: ${problems.length} case(s) fail\n  ${problems.join('\n  ')}`, { problems });
}

type Pair = { draft: CompiledProgram; current?: CompiledProgram; result: ProgramSimulation };

async function simulatePage(
  trx: Transaction<DB>,
  m: string,
  ids: string[],
  asOf: string,
  pairs: Pair[],
  /** Where the programs whose decisions a program reads are found (their membership dates). */
  programs: Program[],
  mask: (h: string, m: string) => string,
  emit: (row: ChangedHousehold) => void,
): Promise<void> {
  const snapshots = new Map<string, HouseholdSnapshot[]>();
  // The page's histories are read once; each date's snapshots are picked from them, on the dates
  // the nightly reads them (snapshotDates), so a simulation sees what deciding would.
  let histories: HouseholdHistories | undefined;
  const knownAt = new Date();
  const snapshotsOn = async (dates: { membership: string; circumstancesOn: string }) => {
    const key = `${dates.membership}/${dates.circumstancesOn}`;
    if (!snapshots.has(key)) {
      histories ??= await readHouseholdHistories(trx, m, ids, knownAt);
      snapshots.set(key, await histories.snapshots({ ...dates, asOf }));
    }
    return snapshots.get(key)!;
  };
  const districts = await headDistricts(trx, m, ids);
  for (const { draft, current, result } of pairs) {
    if (!appliesTo(draft.program, m) && !(current && appliesTo(current.program, m))) continue;
    const dates = snapshotDates(draft.program, asOf);
    if (!dates) continue;
    const currentDates = current && snapshotDates(current.program, asOf);
    const differ = currentDates && (currentDates.membership !== dates.membership || currentDates.circumstancesOn !== dates.circumstancesOn);
    // Other programs' decisions as recorded now, for programs that read them (as the nightly would).
    const withDecisions = async (program: Program, list: HouseholdSnapshot[]) =>
      program.spec.reads_decisions.length ? withPriorDecisions(trx, m, histories!, programs, program, list, knownAt) : list;
    const draftSnapshots = await withDecisions(draft.program, await snapshotsOn(dates));
    const ownSnapshots = current && (differ || current.program.spec.reads_decisions.join() !== draft.program.spec.reads_decisions.join());
    const currentSnapshots = ownSnapshots ? new Map((await withDecisions(current.program, await snapshotsOn(currentDates ?? dates))).map((s) => [s.household_id, s])) : undefined;
    // A draft whose rule version is the one in force, read on the same snapshots, cannot decide
    // otherwise: evaluated once (a folder of every program with one changed costs one evaluation more).
    const unchanged = current && !ownSnapshots && current.program.ruleVersion === draft.program.ruleVersion;
    for (const snapshot of draftSnapshots) {
      // A person-level program is compared person by person (each taxpayer is a row).
      for (const subject of subjectsOf(draft.program, snapshot)) {
        const next = evaluateHousehold(draft, snapshot, asOf, undefined, subject);
        const now = unchanged ? next : current ? evaluateHousehold(current, currentSnapshots?.get(snapshot.household_id) ?? snapshot, asOf, undefined, subject) : undefined;
        if (!next && !now) continue;
        if (!concerns(next) && !concerns(now)) continue;
        record(result, m, snapshot, asOf, districts.get(snapshot.household_id) ?? '不明', now, next, mask, emit);
      }
    }
  }
}

/** A household the program reaches at all: members, and not outside a `concerns` condition. */
const concerns = (e: Evaluation | undefined) => e !== undefined && e.concerned;

function record(
  r: ProgramSimulation,
  m: string,
  snapshot: HouseholdSnapshot,
  asOf: string,
  district: string,
  now: Evaluation | undefined,
  next: Evaluation | undefined,
  mask: (h: string, m: string) => string,
  emit: (row: ChangedHousehold) => void,
): void {
  const yearly = (e: Evaluation | undefined) => (e?.outcome === 'eligible' ? e.amount_yen * (r.period_kind === 'monthly' ? 12 : 1) : 0);
  const before = yearly(now);
  const after = yearly(next);
  const wasPaid = now?.outcome === 'eligible';
  const isPaid = next?.outcome === 'eligible';
  const category: Category = !wasPaid && isPaid ? 'newly_eligible' : wasPaid && !isPaid ? 'no_longer_eligible' : after > before ? 'amount_increased' : after < before ? 'amount_decreased' : 'unchanged';
  r.evaluated++;
  r[category]++;
  r.cost_current_yen += before;
  r.cost_draft_yen += after;
  r.cost_delta_yen += after - before;
  const head = snapshot.members.find((x) => x.relationship === '世帯主') ?? snapshot.members[0];
  const headAge = head ? ageBand(legalAge(head.birth_date, asOf)) : '不明';
  const type = householdType(snapshot, asOf);
  const changed = category !== 'unchanged';
  for (const [groups, key] of [[r.by_head_age, headAge], [r.by_household_type, type], [r.by_district, district]] as const) {
    const g = (groups[key] ??= { households: 0, changed: 0, cost_delta_yen: 0 });
    g.households++;
    if (changed) g.changed++;
    g.cost_delta_yen += after - before;
  }
  if (!changed) return;
  const household = mask(snapshot.household_id, m);
  const view = (e: Evaluation | undefined) => e && { outcome: e.outcome, amount_yen: e.amount_yen, explanation_text: maskText(e.explanation_text, snapshot, household !== snapshot.household_id) };
  emit({
    program: r.program, household, municipality_code: m, category,
    current_outcome: now?.outcome ?? 'none', current_amount_yen: now?.amount_yen ?? 0, draft_outcome: next?.outcome ?? 'none', draft_amount_yen: next?.amount_yen ?? 0,
    head_age: headAge, household_type: type, district,
  });
  if (r.sample.filter((s) => s.category === category).length < SAMPLE_PER_CATEGORY && next) {
    r.sample.push({ household, category, current: view(now) ?? null, draft: view(next)! });
  }
}

/** The explanation with every person's 宛名番号 replaced when the report is masked. */
function maskText(text: string, snapshot: HouseholdSnapshot, masked: boolean): string {
  if (!masked) return text;
  return snapshot.members.reduce((t, x) => t.split(x.person_id).join('＊＊＊'), text);
}

export function ageBand(age: number): string {
  if (age < 30) return '29歳以下';
  if (age >= 70) return '70歳以上';
  const start = Math.floor(age / 10) * 10;
  return `${start}〜${start + 9}歳`;
}

export function householdType(s: HouseholdSnapshot, asOf: string): string {
  const ages = s.members.map((x) => legalAge(x.birth_date, asOf));
  if (ages.length === 1) return ages[0] >= 65 ? '単身（65歳以上）' : '単身（65歳未満）';
  if (ages.some((a) => a < 18)) return '子育て世帯';
  if (ages.every((a) => a >= 65)) return '高齢者のみの世帯';
  return 'その他の世帯';
}

function emptyResult(draft: Program, current: Program | undefined, asOf: string): ProgramSimulation {
  return {
    program: draft.spec.id, name_ja: draft.spec.name.ja, period_kind: draft.spec.period_kind, has_rules_in_force: current !== undefined,
    evaluated: 0, newly_eligible: 0, no_longer_eligible: 0, amount_increased: 0, amount_decreased: 0, unchanged: 0,
    cost_current_yen: 0, cost_draft_yen: 0, cost_delta_yen: 0,
    by_head_age: {}, by_household_type: {}, by_district: {},
    differences: differences(current, draft, asOf), sample: [],
  };
}

/** Which parameters (their values on the as-of date), conditions and amount rules differ. */
export function differences(current: Program | undefined, draft: Program, asOf: string): ProgramSimulation['differences'] {
  const out: ProgramSimulation['differences'] = [];
  const valueOn = (p: Program | undefined, name: string) => p?.parameters[name]?.values.find((v) => v.from <= asOf && (!v.to || asOf <= v.to))?.value;
  for (const name of new Set([...Object.keys(current?.parameters ?? {}), ...Object.keys(draft.parameters)])) {
    const [a, b] = [valueOn(current, name), valueOn(draft, name)];
    if (!isDeepStrictEqual(a, b)) out.push({ kind: 'parameter', name, current: a ?? null, draft: b ?? null });
  }
  const rulesOf = (p: Program | undefined) => (p ? versionOn(p, asOf)?.rules : undefined);
  const [ra, rb] = [rulesOf(current), rulesOf(draft)];
  const strip = (c: object) => Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'text_ja' && k !== 'citation'));
  for (const name of new Set([...(ra?.conditions ?? []).map((c) => c.name), ...(rb?.conditions ?? []).map((c) => c.name)])) {
    const [a, b] = [ra?.conditions.find((c) => c.name === name), rb?.conditions.find((c) => c.name === name)];
    if (!isDeepStrictEqual(a && strip(a), b && strip(b))) out.push({ kind: 'condition', name, current: a ? strip(a) : null, draft: b ? strip(b) : null });
  }
  if (!isDeepStrictEqual(ra?.amount, rb?.amount)) out.push({ kind: 'amount', name: 'amount', current: ra?.amount ?? null, draft: rb?.amount ?? null });
  return out;
}
