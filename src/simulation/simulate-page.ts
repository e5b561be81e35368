import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { snapshotDates, subjectsOf, withPriorDecisions } from '../decisions/decide.service.ts';
import { compileProgram, evaluateHousehold, type CompiledProgram, type Evaluation } from '../engine/evaluate-household.ts';
import type { HouseholdSnapshot } from '../engine/household-snapshot.ts';
import { legalAge } from '../engine/legal-age.ts';
import { readHouseholdHistories, type HouseholdHistories } from '../residents/household-snapshot.repository.ts';
import { appliesTo, type Program } from '../rules/program-loader.ts';
import { headDistricts } from './simulation.repository.ts';

export const SAMPLE_PER_CATEGORY = 5;

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

/** What one program's comparison counted on some households: a page's, or (summed) everyone's. */
export interface Tally {
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
  /** The first few changed households of each category, in the order met. */
  sample: SampleHousehold[];
}

export const emptyTally = (): Tally => ({
  evaluated: 0, newly_eligible: 0, no_longer_eligible: 0, amount_increased: 0, amount_decreased: 0, unchanged: 0,
  cost_current_yen: 0, cost_draft_yen: 0, cost_delta_yen: 0,
  by_head_age: {}, by_household_type: {}, by_district: {}, sample: [],
});

/** A draft program and the one in force with its id, compiled. */
export interface Pair {
  draft: CompiledProgram;
  current?: CompiledProgram;
}

/** What every page is compared with: the same in the simulating process and in each of its threads. */
export interface PageWork {
  drafts: Program[];
  inForce: Program[];
  asOf: string;
  unmasked?: boolean;
}

/** A page of one municipality's households. */
export interface Page {
  m: string;
  ids: string[];
}

/** A page compared: per draft (in order), its tally and its changed households in the order met. */
export type PageTally = { tally: Tally; changed: ChangedHousehold[] }[];

export function pairsOf(work: PageWork): Pair[] {
  return work.drafts.map((draft) => {
    const current = work.inForce.find((p) => p.spec.id === draft.spec.id);
    return { draft: compileProgram(draft), current: current && compileProgram(current) };
  });
}

/**
 * Evaluates one page of households with each draft and the program in force, and counts the
 * comparison. Reads only: `db` is a read-only transaction on the simulation's snapshot.
 */
export async function simulatePage(db: Kysely<DB>, page: Page, work: PageWork, pairs: Pair[]): Promise<PageTally> {
  const { m, ids } = page;
  const { asOf } = work;
  // Where the programs whose decisions a program reads are found (their membership dates).
  const programs = [...work.drafts, ...work.inForce];
  const snapshots = new Map<string, HouseholdSnapshot[]>();
  // The page's histories are read once; each date's snapshots are picked from them, on the dates
  // the nightly reads them (snapshotDates), so a simulation sees what deciding would.
  let histories: HouseholdHistories | undefined;
  const knownAt = new Date();
  const snapshotsOn = async (dates: { membership: string; circumstancesOn: string }) => {
    const key = `${dates.membership}/${dates.circumstancesOn}`;
    if (!snapshots.has(key)) {
      histories ??= await readHouseholdHistories(db, m, ids, knownAt);
      snapshots.set(key, await histories.snapshots({ ...dates, asOf }));
    }
    return snapshots.get(key)!;
  };
  const districts = await headDistricts(db, m, ids);
  const mask = (household: string) => (work.unmasked ? household : `H-${createHash('sha256').update(`${m}|${household}`).digest('hex').slice(0, 8)}`);
  const out: PageTally = [];
  for (const { draft, current } of pairs) {
    const counted = { tally: emptyTally(), changed: [] as ChangedHousehold[] };
    out.push(counted);
    if (!appliesTo(draft.program, m) && !(current && appliesTo(current.program, m))) continue;
    const dates = snapshotDates(draft.program, asOf);
    if (!dates) continue;
    const currentDates = current && snapshotDates(current.program, asOf);
    const differ = currentDates && (currentDates.membership !== dates.membership || currentDates.circumstancesOn !== dates.circumstancesOn);
    // Other programs' decisions as recorded now, for programs that read them (as the nightly would).
    const withDecisions = async (program: Program, list: HouseholdSnapshot[]) =>
      program.spec.reads_decisions.length ? withPriorDecisions(db, m, histories!, programs, program, list, knownAt) : list;
    const draftSnapshots = await withDecisions(draft.program, await snapshotsOn(dates));
    const ownSnapshots = current && (differ || current.program.spec.reads_decisions.join() !== draft.program.spec.reads_decisions.join());
    const currentSnapshots = ownSnapshots ? new Map((await withDecisions(current.program, await snapshotsOn(currentDates ?? dates))).map((s) => [s.household_id, s])) : undefined;
    // A draft whose rule version is the one in force, read on the same snapshots, cannot decide
    // otherwise: evaluated once (a folder of every program with one changed costs one evaluation more).
    const unchanged = current && !ownSnapshots && current.program.ruleVersion === draft.program.ruleVersion;
    const periodKind = draft.program.spec.period_kind;
    for (const snapshot of draftSnapshots) {
      // A person-level program is compared person by person (each taxpayer is a row).
      for (const subject of subjectsOf(draft.program, snapshot)) {
        const next = evaluateHousehold(draft, snapshot, asOf, undefined, subject);
        const now = unchanged ? next : current ? evaluateHousehold(current, currentSnapshots?.get(snapshot.household_id) ?? snapshot, asOf, undefined, subject) : undefined;
        if (!concerns(next) && !concerns(now)) continue;
        const district = districts.get(snapshot.household_id) ?? '不明';
        const row = record(counted.tally, periodKind, snapshot, asOf, district, now, next, mask);
        if (row) counted.changed.push({ program: draft.program.spec.id, municipality_code: m, ...row });
      }
    }
  }
  return out;
}

/** A household the program reaches at all: members, and not outside a `concerns` condition. */
const concerns = (e: Evaluation | undefined) => e !== undefined && e.concerned;

/** Counts one household's comparison; returns its CSV row if it changed. */
function record(
  t: Tally,
  periodKind: 'monthly' | 'once',
  snapshot: HouseholdSnapshot,
  asOf: string,
  district: string,
  now: Evaluation | undefined,
  next: Evaluation | undefined,
  mask: (h: string) => string,
): Omit<ChangedHousehold, 'program' | 'municipality_code'> | undefined {
  const yearly = (e: Evaluation | undefined) => (e?.outcome === 'eligible' ? e.amount_yen * (periodKind === 'monthly' ? 12 : 1) : 0);
  const before = yearly(now);
  const after = yearly(next);
  const wasPaid = now?.outcome === 'eligible';
  const isPaid = next?.outcome === 'eligible';
  const category: Category = !wasPaid && isPaid ? 'newly_eligible' : wasPaid && !isPaid ? 'no_longer_eligible' : after > before ? 'amount_increased' : after < before ? 'amount_decreased' : 'unchanged';
  t.evaluated++;
  t[category]++;
  t.cost_current_yen += before;
  t.cost_draft_yen += after;
  t.cost_delta_yen += after - before;
  const head = snapshot.members.find((x) => x.relationship === '世帯主') ?? snapshot.members[0];
  const headAge = head ? ageBand(legalAge(head.birth_date, asOf)) : '不明';
  const type = householdType(snapshot, asOf);
  const changed = category !== 'unchanged';
  for (const [groups, key] of [[t.by_head_age, headAge], [t.by_household_type, type], [t.by_district, district]] as const) {
    const g = (groups[key] ??= { households: 0, changed: 0, cost_delta_yen: 0 });
    g.households++;
    if (changed) g.changed++;
    g.cost_delta_yen += after - before;
  }
  if (!changed) return undefined;
  const household = mask(snapshot.household_id);
  const view = (e: Evaluation | undefined) => e && { outcome: e.outcome, amount_yen: e.amount_yen, explanation_text: maskText(e.explanation_text, snapshot, household !== snapshot.household_id) };
  if (t.sample.filter((s) => s.category === category).length < SAMPLE_PER_CATEGORY && next) {
    t.sample.push({ household, category, current: view(now) ?? null, draft: view(next)! });
  }
  return {
    household, category,
    current_outcome: now?.outcome ?? 'none', current_amount_yen: now?.amount_yen ?? 0, draft_outcome: next?.outcome ?? 'none', draft_amount_yen: next?.amount_yen ?? 0,
    head_age: headAge, household_type: type, district,
  };
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
