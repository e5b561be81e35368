import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ChangeKind, DB } from '../db/schema.ts';
import { evaluateHousehold, membershipDate, type CompiledProgram, type Evaluation } from '../engine/evaluate-household.ts';
import { appliesTo, type Program } from '../rules/program-loader.ts';
import type { HouseholdSnapshot } from '../engine/household-snapshot.ts';
import { priorDecisions, readHouseholdHistories, type HouseholdHistories } from '../residents/household-snapshot.repository.ts';
import { chainKey, currentDecisions, insertDecisions, type EngineView, type NewDecision } from './decision.repository.ts';
import { compactExplanation } from './compact-explanation.ts';
import { decisionFacts, inputsHash } from './stored-explanation.ts';

export interface DecideResult {
  evaluated: number;
  created: number;
  review: number;
  byKind: Partial<Record<ChangeKind, number>>;
  /** With `deferReaders`: the households looked at, and those whose readers wait for the readers' pass. */
  checked?: number;
  deferred?: string[];
}

/**
 * Decides every program in force for these households as of `asOf`, as the facts were known at
 * `knownAt`, and appends a decision wherever the outcome, amount or recipient differs from the
 * decision in force (none for a household the program does not concern and never decided). The programs' rule versions must be recorded first (recordRuleVersion).
 * Re-running with the same facts writes nothing; a retried chunk whose decisions were already
 * written inserts nothing (the chain's unique indexes).
 */
export async function decideHouseholds(
  db: Kysely<DB>,
  programs: CompiledProgram[],
  municipalityCode: string,
  householdIds: string[],
  asOf: string,
  knownAt: Date,
  /** Every program loaded: those whose decisions a program reads may not be decided in this pass. */
  loaded: CompiledProgram[] = programs,
  /**
   * Decide a program that reads others' decisions only for households whose members, on each
   * read program's membership date, lived in this chunk's households (or nowhere here): those
   * decisions are written in this transaction before it (inDecisionOrder), or were not made
   * tonight. The others are listed in `deferred`, for a pass after every chunk has written.
   */
  deferReaders = false,
): Promise<DecideResult> {
  const result: DecideResult = { evaluated: 0, created: 0, review: 0, byKind: {} };
  const deferred = new Set<string>();
  const inChunk = new Set(householdIds);
  // The chunk's histories are read once; each program's dates are picked from them.
  let histories: HouseholdHistories | undefined;
  const snapshotsByDate = new Map<string, HouseholdSnapshot[]>();
  // A snapshot serves every program reading the same dates, and every member decided in it: hashed once.
  const hashes = new Map<HouseholdSnapshot, string>();
  const hashOf = (snapshot: HouseholdSnapshot) => hashes.get(snapshot) ?? hashes.set(snapshot, inputsHash(snapshot)).get(snapshot)!;
  for (const compiled of inDecisionOrder(programs)) {
    const { program } = compiled;
    const dates = snapshotDates(program, asOf);
    if (!dates || !appliesTo(program, municipalityCode)) continue;
    if (program.spec.period_kind === 'once' && asOf < program.spec.base_date!) continue;
    const { membership, circumstancesOn } = dates;
    const key = `${membership}/${circumstancesOn}`;
    let snapshots = snapshotsByDate.get(key);
    if (!snapshots) {
      histories ??= await readHouseholdHistories(db, municipalityCode, householdIds, knownAt);
      snapshots = await histories.snapshots({ membership, asOf, circumstancesOn });
      snapshotsByDate.set(key, snapshots);
    }
    if (program.spec.reads_decisions.length) {
      if (deferReaders) {
        const dates = readDecisionDates(loaded.map((p) => p.program), program).map((r) => r.membership);
        const decidedHere = (s: HouseholdSnapshot) =>
          s.members.every((x) => dates.every((date) => {
            const household = histories!.householdOn(x.person_id, date);
            return household === undefined || inChunk.has(household);
          }));
        for (const s of snapshots) if (!decidedHere(s)) deferred.add(s.household_id);
        snapshots = snapshots.filter((s) => !deferred.has(s.household_id));
      }
      snapshots = await withPriorDecisions(db, municipalityCode, histories!, loaded.map((p) => p.program), program, snapshots, knownAt);
    }
    const evaluated: { snapshot: (typeof snapshots)[number]; subject: string; evaluation: Evaluation }[] = [];
    for (const snapshot of snapshots) {
      // A person-level program decides each member; a household's chains are then one per person.
      for (const subject of subjectsOf(program, snapshot)) {
        const evaluation = evaluateHousehold(compiled, snapshot, asOf, undefined, subject);
        if (evaluation) evaluated.push({ snapshot, subject, evaluation });
      }
    }
    if (evaluated.length === 0) continue;
    const current = await currentDecisions(db, municipalityCode, program.spec.id, householdIds, evaluated[0].evaluation.evaluation_date);
    const fresh: NewDecision[] = [];
    for (const { snapshot, subject, evaluation } of evaluated) {
      result.evaluated++;
      if (evaluation.outcome === 'review') result.review++;
      const { inForce, lastId, lastDecisionId } = current.get(chainKey(snapshot.household_id, subject)) ?? {};
      // A household the program does not concern gets no decision until it has had one.
      if (lastId === undefined && !evaluation.concerned) continue;
      const kind = changeKind(inForce, evaluation);
      // Staff decided this case: it stands until the engine's own result changes.
      if (!kind || (inForce?.engine && !changeKind({ ...inForce.engine, ever_eligible: inForce.ever_eligible }, evaluation))) continue;
      result.byKind[kind] = (result.byKind[kind] ?? 0) + 1;
      const supersedes = lastId ?? null;
      fresh.push({
        decision_id: decisionId(municipalityCode, program.spec.id, snapshot.household_id, lastDecisionId ?? null, evaluation, subject),
        municipality_code: municipalityCode,
        program: program.spec.id,
        household_id: snapshot.household_id,
        subject_person_id: subject,
        change_kind: kind,
        outcome: evaluation.outcome,
        amount_yen: evaluation.amount_yen,
        recipient_person_id: evaluation.recipient_person_id,
        period_kind: evaluation.period_kind,
        effective_from: evaluation.evaluation_date,
        rule_version: evaluation.rule_version,
        engine_version: evaluation.engine_version,
        as_of: asOf,
        known_at: knownAt,
        inputs_hash: hashOf(snapshot),
        // Read only where no recipient is named (notices, review items), so kept only then.
        head_person_id: evaluation.recipient_person_id ? null : (snapshot.members.find((m) => m.relationship === '世帯主')?.person_id ?? null),
        explanation: compactExplanation(program, evaluation.explanation, decisionFacts(program, { ...evaluation, effective_from: evaluation.evaluation_date, as_of: asOf })),
        supersedes,
      });
    }
    result.created += await insertDecisions(db, fresh);
  }
  return deferReaders ? { ...result, checked: householdIds.length, deferred: [...deferred].sort() } : result;
}

/**
 * Programs whose decisions others read come first (`reads_decisions`), so a household's chunk
 * decides the 2023 round before the 2024 round that excludes its beneficiaries.
 */
export function inDecisionOrder(programs: CompiledProgram[]): CompiledProgram[] {
  const byId = new Map(programs.map((p) => [p.program.spec.id, p]));
  const ordered: CompiledProgram[] = [];
  const visit = (p: CompiledProgram, path: string[]) => {
    if (ordered.includes(p)) return;
    if (path.includes(p.program.spec.id)) throw new Error(`programs read each other's decisions in a cycle: ${[...path, p.program.spec.id].join(' → ')}`);
    for (const id of p.program.spec.reads_decisions) {
      const source = byId.get(id);
      if (source) visit(source, [...path, p.program.spec.id]);
    }
    ordered.push(p);
  };
  for (const p of programs) visit(p, []);
  return ordered;
}

/** Whom a program decides in a household: '' (the household), or each member for `subject: person`. */
export function subjectsOf(program: Program, snapshot: HouseholdSnapshot): string[] {
  return program.spec.subject === 'person' ? snapshot.members.map((m) => m.person_id) : [''];
}

/**
 * The snapshots with each member's decisions of the programs this one reads, on each of those
 * programs' membership dates (copies: the same snapshots serve programs that read none).
 */
export async function withPriorDecisions(
  db: Kysely<DB>,
  m: string,
  /** The histories the snapshots were picked from: where each member lived on the programs' dates. */
  histories: HouseholdHistories,
  programs: Program[],
  reader: Program,
  snapshots: HouseholdSnapshot[],
  knownAt: Date,
): Promise<HouseholdSnapshot[]> {
  const reads = readDecisionDates(programs, reader);
  const personIds = snapshots.flatMap((s) => s.members.map((x) => x.person_id));
  const byPerson = await priorDecisions(db, m, histories, personIds, reads, knownAt);
  return snapshots.map((s) => ({ ...s, members: s.members.map((x) => ({ ...x, decisions: byPerson.get(x.person_id) ?? [] })) }));
}

/** The programs whose decisions `reader` reads, each with the membership date its decisions are looked up on. */
function readDecisionDates(programs: Program[], reader: Program): { program: string; membership: string }[] {
  return reader.spec.reads_decisions.map((id) => {
    const source = programs.find((p) => p.spec.id === id);
    const membership = source && membershipDate(source, source.spec.base_date ?? source.versions[0].from);
    if (!membership) throw new Error(`${reader.spec.id} reads the decisions of ${id}, which is not among the programs loaded or has no membership date`);
    return { program: id, membership };
  });
}

/**
 * The dates a program's snapshot is read on, deciding as of `asOf`; undefined when the program
 * decides nothing then. Monthly programs read circumstances as of the membership date, the end
 * of the month before: 児童手当法第8条 ends entitlement with the month in which the event
 * occurs. One-off programs read them on the decision date, so a 辞退 after the base date still
 * stops payment.
 */
export function snapshotDates(program: CompiledProgram['program'], asOf: string): { membership: string; circumstancesOn: string } | undefined {
  const membership = membershipDate(program, asOf);
  if (!membership) return undefined;
  return { membership, circumstancesOn: program.spec.period_kind === 'once' ? asOf : membership };
}

/**
 * What kind of change a new evaluation is against the decision in force; undefined: none. A
 * benefit after a decision that was not one is 再開 only when the chain was eligible before;
 * otherwise it was never paid and is new (認定), whether the engine or staff decided it
 * (issue 16).
 */
export function changeKind(previous: (EngineView & { ever_eligible: boolean }) | undefined, next: EngineView): ChangeKind | undefined {
  if (!previous) return 'new';
  if (previous.outcome === next.outcome) {
    if (previous.amount_yen !== next.amount_yen) return 'amount_changed';
    if (previous.recipient_person_id !== next.recipient_person_id) return 'recipient_changed';
    return undefined;
  }
  if (previous.outcome === 'eligible') return 'stopped';
  if (next.outcome === 'eligible') return previous.ever_eligible ? 'restarted' : 'new';
  return 'outcome_changed';
}

/**
 * Deterministic: the same decision at the same place in a household's chain gets the same id,
 * on any database. The place is the decision_id of the decision it supersedes (itself derived
 * the same way), never a row id, which depends on the order chunks happened to be written in.
 * Decisions made before this rule keep the ids they were given.
 */
export function decisionId(
  m: string,
  program: string,
  household: string,
  supersedes: string | null,
  e: Pick<Evaluation, 'evaluation_date' | 'outcome' | 'amount_yen' | 'recipient_person_id'>,
  subject = '',
): string {
  // A person's chain differs from the household's; household ids stay as they were.
  const place = subject ? `${household}\0${subject}` : household;
  const key = [m, program, place, supersedes ?? 'first', e.evaluation_date, e.outcome, e.amount_yen, e.recipient_person_id].join('\0');
  return `D${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}
