import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import { allHouseholds, municipalityCodes } from '../batch/batch.repository.ts';
import type { DB } from '../db/schema.ts';
import { UnusableInputError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { runCases } from '../rules/case-runner.ts';
import { versionOn, type Program } from '../rules/program-loader.ts';
import { CATEGORIES, SAMPLE_PER_CATEGORY, pairsOf, simulatePage, type ChangedHousehold, type Page, type PageTally, type PageWork, type Tally } from './simulate-page.ts';
import { tallyInThreads, type SimulationThreads } from './simulate-threads.ts';

export { CATEGORIES, ageBand, householdType, type Category, type ChangedHousehold, type Group, type SampleHousehold } from './simulate-page.ts';

/** Households read and evaluated together. */
const PAGE = 2000;

export interface ProgramSimulation extends Tally {
  program: string;
  name_ja: string;
  period_kind: 'monthly' | 'once';
  /** False when no rules of this program are in force: the draft's whole reach is new. */
  has_rules_in_force: boolean;
  differences: { kind: 'parameter' | 'condition' | 'amount'; name: string; current: unknown; draft: unknown }[];
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
  /** Households read and evaluated together (default 2000). */
  pageHouseholds?: number;
  /**
   * Compare the pages in this many worker threads, each on its own connection to the same
   * snapshot (a PostgreSQL server only; default: in this thread).
   */
  threads?: SimulationThreads;
  logger?: Logger;
}

/**
 * Evaluates draft programs and the rules in force side by side on the population as of a date,
 * and compares household by household. Read-only: everything is read in one read-only,
 * repeatable-read transaction, and nothing is written anywhere but the report. A draft whose
 * own cases fail is refused before anything is read.
 */
export async function simulate(db: Kysely<DB>, input: SimulateInput): Promise<SimulationSummary> {
  await checkDrafts(input.drafts);
  const results = input.drafts.map((draft) => emptyResult(draft, input.inForce.find((p) => p.spec.id === draft.spec.id), input.asOf));
  const emit = input.onChanged ?? (() => {});
  const work: PageWork = { drafts: input.drafts, inForce: input.inForce, asOf: input.asOf, unmasked: input.unmasked };
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const pages: Page[] = [];
      const size = input.pageHouseholds ?? PAGE;
      for (const m of input.municipalityCodes ?? (await municipalityCodes(trx))) {
        const households = await allHouseholds(trx, m);
        for (let i = 0; i < households.length; i += size) pages.push({ m, ids: households.slice(i, i + size) });
      }
      const total = pages.reduce((n, p) => n + p.ids.length, 0);
      let done = 0;
      // Pages are counted in order whichever thread compared them: the report and the CSV are the
      // same however many threads there are.
      const count = (page: Page, counted: PageTally) => {
        counted.forEach(({ tally, changed }, i) => {
          add(results[i], tally);
          changed.forEach(emit);
        });
        done += page.ids.length;
        input.onProgress?.(done, total);
      };
      let threads = 1;
      if (input.threads && input.threads.count > 1 && pages.length > 1) {
        threads = await tallyInThreads(trx, pages, work, input.threads, count);
      } else {
        const pairs = pairsOf(work);
        for (const page of pages) count(page, await simulatePage(trx, page, work, pairs));
      }
      input.logger?.debug({ households: total, pages: pages.length, threads }, 'simulation compared');
    });
  return { as_of: input.asOf, masked: !input.unmasked, programs: results };
}

/** Adds a page's tally to the program's, keeping the first few changed households of each category. */
function add(r: ProgramSimulation, t: Tally): void {
  for (const key of ['evaluated', ...CATEGORIES, 'cost_current_yen', 'cost_draft_yen', 'cost_delta_yen'] as const) r[key] += t[key];
  for (const by of ['by_head_age', 'by_household_type', 'by_district'] as const) {
    for (const [key, g] of Object.entries(t[by])) {
      const sum = (r[by][key] ??= { households: 0, changed: 0, cost_delta_yen: 0 });
      sum.households += g.households;
      sum.changed += g.changed;
      sum.cost_delta_yen += g.cost_delta_yen;
    }
  }
  for (const s of t.sample) if (r.sample.filter((x) => x.category === s.category).length < SAMPLE_PER_CATEGORY) r.sample.push(s);
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
