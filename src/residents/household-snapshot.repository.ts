import { sql, type Kysely } from 'kysely';
import type { CircumstanceKind, DB, IncomeRow } from '../db/schema.ts';
import type { AccountSummary, Circumstance, HouseholdSnapshot, MemberSnapshot, PriorDecision, TaxRecord } from '../engine/household-snapshot.ts';

/** The dates of a snapshot: see loadHouseholdSnapshots. */
export interface SnapshotDates {
  membership: string;
  asOf: string;
  circumstancesOn?: string;
}

/**
 * The engine's view of households, read in bulk: members as of the membership date, tax
 * records as they stood on the decision date (a later 更正 counts), circumstances active on
 * `circumstancesOn` (default: the membership date), all as known at `knownAt`.
 * Households with no members on the date get an empty snapshot, so a household that moved
 * away is decided (and stopped) rather than forgotten.
 *
 * A household's snapshot depends on nothing but the household and the dates: in particular not
 * on which other households are loaded with it, so a batch decides alike however it is chunked.
 */
export async function loadHouseholdSnapshots(
  db: Kysely<DB>,
  municipalityCode: string,
  householdIds: string[],
  dates: SnapshotDates & { knownAt: Date },
): Promise<HouseholdSnapshot[]> {
  return (await readHouseholdHistories(db, municipalityCode, householdIds, dates.knownAt)).snapshots(dates);
}

/** A chunk's histories, read once: snapshots on any dates, as known at the knowledge time they were read with. */
export interface HouseholdHistories {
  snapshots(dates: SnapshotDates): Promise<HouseholdSnapshot[]>;
  /** The household a member of the chunk's households lived in on a date, as priorDecisions finds it; undefined if not resident then. */
  householdOn(personId: string, date: string): string | undefined;
}

/**
 * Reads every version, recorded by `knownAt`, of everyone who ever belonged to these
 * households: one query per table for the whole chunk. The snapshots of each date are then
 * picked from these rows in memory, as the store's "latest (valid_from, recorded_at,
 * change_row) on or before the date" (resident.repository.ts), so the dates a nightly decides
 * on cost one read, not one each, and PostgreSQL sorts nothing per person.
 *
 * Each query looks the chunk's households and persons up one by one through the index
 * (LATERAL, with an ORDER BY that keeps the planner from flattening it into a join): with
 * `= any` of a few thousand ids, or a plain join, it scans the whole history instead (seen with
 * EXPLAIN at 100,000 households), and a chunk's cost would grow with the municipality.
 */
export async function readHouseholdHistories(db: Kysely<DB>, m: string, householdIds: string[], knownAt: Date): Promise<HouseholdHistories> {
  const persons = await personVersions(db, m, householdIds, knownAt);
  const ids = [...persons.keys()];
  const [tax, accounts, circumstances] = await Promise.all([
    taxVersions(db, m, ids, knownAt),
    accountVersions(db, m, ids, knownAt),
    circumstanceVersions(db, m, ids, knownAt),
  ]);
  // Who supports whom on any version: most members have no supporter, and only those who do are
  // looked at for each date. Supporters who never belonged to the chunk are read when first needed.
  const supported = new Set<string>();
  const wanted = new Set<string>();
  for (const [id, years] of tax) {
    for (const versions of years.values()) {
      for (const { record } of versions) {
        if (!record.dependent_of) continue;
        supported.add(id);
        if (!persons.has(record.dependent_of)) wanted.add(record.dependent_of);
      }
    }
  }
  let outside: Map<string, PersonTax> | undefined;
  // Tax records and accounts depend on the decision date alone: picked once for every membership date.
  const taxByAsOf = new Map<string, Map<string, Record<string, TaxRecord>>>();
  const accountsByAsOf = new Map<string, Map<string, AccountSummary[]>>();

  return {
    householdOn(personId, date) {
      const versions = persons.get(personId)?.versions;
      const state = versions && latestOn(versions, date);
      return state?.status === 'resident' ? state.household_id : undefined;
    },
    async snapshots(dates) {
      const on = dates.circumstancesOn ?? dates.membership;
      const byHousehold = new Map<string, HouseholdSnapshot>(
        householdIds.map((id) => [id, { municipality_code: m, household_id: id, membership_date: dates.membership, members: [], supporters: {} }]),
      );
      const taxOn = taxByAsOf.get(dates.asOf) ?? taxByAsOf.set(dates.asOf, new Map()).get(dates.asOf)!;
      const accountsOn = accountsByAsOf.get(dates.asOf) ?? accountsByAsOf.set(dates.asOf, new Map()).get(dates.asOf)!;
      const accountsOf = (id: string) => accountsOn.get(id) ?? accountsOn.set(id, accountsAsOf(accounts.get(id), dates.asOf)).get(id)!;
      const taxOf = (id: string, source: Map<string, PersonTax> | undefined) => {
        let records = taxOn.get(id);
        if (records === undefined) {
          const versions = source?.get(id);
          records = versions ? taxRecordsOn(versions, dates.asOf) : {};
          taxOn.set(id, records);
        }
        return records;
      };
      // Each member goes straight to its household, in the order of the persons (the database's
      // collation of their ids, rather than JavaScript's).
      for (const person of persons.values()) {
        const state = latestOn(person.versions, dates.membership);
        if (!state || state.status !== 'resident') continue;
        const snapshot = byHousehold.get(state.household_id);
        if (!snapshot) continue;
        const member: MemberSnapshot = {
          person_id: person.id,
          relationship: state.relationship,
          birth_date: state.birth_date,
          resident_since: person.residentSince!,
          tax: taxOf(person.id, tax),
          accounts: accountsOf(person.id),
        };
        // Only when there are some: decisions recorded before circumstances existed have none.
        const versions = circumstances.get(person.id);
        if (versions) {
          const active = circumstancesOn(versions, on);
          if (active.length) member.circumstances = active;
        }
        snapshot.members.push(member);
      }
      // The order the store's query gave: 世帯主 first, then by birth date, then by id (the sort is
      // stable, and each household's members are in the persons' order).
      for (const snapshot of byHousehold.values()) if (snapshot.members.length > 1) snapshot.members.sort(byRank);
      // Each household takes the records of its members' supporters who are not its own members,
      // wherever they live.
      if (wanted.size && !outside) {
        const read = await taxVersions(db, m, [...wanted], knownAt);
        outside = new Map([...wanted].map((id) => [id, read.get(id) ?? new Map()]));
      }
      for (const snapshot of byHousehold.values()) {
        for (const member of snapshot.members) {
          if (!supported.has(member.person_id)) continue;
          for (const record of Object.values(member.tax)) {
            const s = record.dependent_of;
            if (!s || snapshot.members.some((x) => x.person_id === s)) continue;
            const records = taxOf(s, persons.has(s) ? tax : outside);
            if (Object.keys(records).length) snapshot.supporters[s] = records;
          }
        }
      }
      return [...byHousehold.values()];
    },
  };
}

/** One version of a record: when it took effect, in the store's order of versions. */
interface Version {
  valid_from: string;
}
interface PersonVersion extends Version {
  household_id: string;
  relationship: string;
  birth_date: string;
  status: string;
}
/** Kept in the database's order of person ids (the query's). */
interface PersonHistory {
  id: string;
  /** Oldest first: valid_from, then recorded_at, then change_row. */
  versions: PersonVersion[];
  /** The first day of the earliest resident version: when residence here began. */
  residentSince?: string;
}
type PersonTax = Map<number, (Version & { record: TaxRecord })[]>;
type PersonAccounts = Map<string, (Version & { account: AccountSummary })[]>;
type PersonCircumstances = Map<string, (Version & { active: boolean; circumstance: Circumstance })[]>;

/** The version in force on the date: the last of those (oldest first) that took effect on or before it. */
function latestOn<T extends Version>(versions: T[], date: string): T | undefined {
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i].valid_from <= date) return versions[i];
  return undefined;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const byRank = (a: MemberSnapshot, b: MemberSnapshot) => Number(a.relationship !== '世帯主') - Number(b.relationship !== '世帯主') || compare(a.birth_date, b.birth_date);

function append<K, T>(map: Map<K, T[]>, key: K, value: T) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function taxRecordsOn(versions: PersonTax, asOf: string): Record<string, TaxRecord> {
  const records: Record<string, TaxRecord> = {};
  for (const [year, list] of versions) {
    const version = latestOn(list, asOf);
    if (version) records[String(year)] = version.record;
  }
  return records;
}

function accountsAsOf(versions: PersonAccounts | undefined, asOf: string): AccountSummary[] {
  const accounts: AccountSummary[] = [];
  if (versions) for (const list of versions.values()) {
    const version = latestOn(list, asOf);
    if (version) accounts.push(version.account);
  }
  return accounts;
}

/** Per (circumstance, program) the version in force on the date, kept when it says active. */
function circumstancesOn(versions: PersonCircumstances, on: string): Circumstance[] {
  const active: Circumstance[] = [];
  for (const list of versions.values()) {
    const version = latestOn(list, on);
    if (version?.active) active.push(version.circumstance);
  }
  return active;
}

/** Everyone who ever belonged to the households, with every version of their register record. */
async function personVersions(db: Kysely<DB>, m: string, householdIds: string[], knownAt: Date): Promise<Map<string, PersonHistory>> {
  const { rows } = await sql<PersonVersion & { person_id: string }>`
    with c as (
      select distinct x.person_id from unnest(${householdIds}::text[]) as h(household_id)
      cross join lateral (
        select person_id from person_history where municipality_code = ${m} and household_id = h.household_id order by person_id
      ) x
    )
    select v.person_id, v.valid_from, v.household_id, v.relationship, v.birth_date, v.status from c
    cross join lateral (
      select person_id, valid_from, household_id, relationship, birth_date, status, recorded_at, change_row from person_history
      where municipality_code = ${m} and person_id = c.person_id and recorded_at <= ${knownAt}
      order by valid_from, recorded_at, change_row
    ) v
    order by v.person_id, v.valid_from, v.recorded_at, v.change_row`.execute(db);
  const persons = new Map<string, PersonHistory>();
  for (const { person_id, ...version } of rows) {
    let person = persons.get(person_id);
    if (!person) persons.set(person_id, (person = { id: person_id, versions: [] }));
    person.versions.push(version);
    if (version.status === 'resident') person.residentSince ??= version.valid_from;
  }
  return persons;
}

const OPTIONAL_TAX_COLUMNS = ['salary_income', 'pension_income', 'dependants', 'elderly_dependants', 'dependants_abroad', 'treaty_exempt', 'income_tax'] as const;

type TaxRow = Pick<IncomeRow, 'person_id' | 'fiscal_year' | 'valid_from' | 'total_income' | 'kintowari' | 'shotokuwari' | 'dependent_of' | 'supporter_taxed' | (typeof OPTIONAL_TAX_COLUMNS)[number]>;

async function taxVersions(db: Kysely<DB>, m: string, personIds: string[], knownAt: Date): Promise<Map<string, PersonTax>> {
  const byPerson = new Map<string, PersonTax>();
  if (personIds.length === 0) return byPerson;
  const { rows } = await sql<TaxRow>`
    select t.person_id, t.fiscal_year, t.valid_from, t.total_income, t.kintowari, t.shotokuwari, t.dependent_of, t.supporter_taxed, ${sql.raw(OPTIONAL_TAX_COLUMNS.map((c) => `t.${c}`).join(', '))}
    from unnest(${personIds}::text[]) as p(person_id)
    cross join lateral (
      select * from income_history
      where municipality_code = ${m} and person_id = p.person_id and recorded_at <= ${knownAt}
      order by fiscal_year, valid_from, recorded_at, change_row
    ) t
    order by t.person_id, t.fiscal_year, t.valid_from, t.recorded_at, t.change_row`.execute(db);
  for (const r of rows) {
    const record: TaxRecord = {
      total_income: r.total_income,
      kintowari: r.kintowari,
      shotokuwari: r.shotokuwari,
      dependent_of: r.dependent_of,
      supporter_taxed: r.supporter_taxed,
    };
    // Only what the record says: snapshots are stored with every decision.
    for (const key of OPTIONAL_TAX_COLUMNS) if (r[key] !== null && r[key] !== undefined) (record as unknown as Record<string, unknown>)[key] = r[key];
    let person = byPerson.get(r.person_id);
    if (!person) byPerson.set(r.person_id, (person = new Map()));
    append(person, r.fiscal_year, { valid_from: r.valid_from, record });
  }
  return byPerson;
}

/** Accounts as far as deciding needs them: which bank and branch, never the number or holder. */
async function accountVersions(db: Kysely<DB>, m: string, personIds: string[], knownAt: Date): Promise<Map<string, PersonAccounts>> {
  const byPerson = new Map<string, PersonAccounts>();
  if (personIds.length === 0) return byPerson;
  const { rows } = await sql<AccountSummary & Version & { person_id: string }>`
    select a.person_id, a.valid_from, a.source, a.bank_code, a.branch_code, a.account_type from unnest(${personIds}::text[]) as p(person_id)
    cross join lateral (
      select person_id, valid_from, source, bank_code, branch_code, account_type, recorded_at, change_row from account_history
      where municipality_code = ${m} and person_id = p.person_id and recorded_at <= ${knownAt}
      order by source, valid_from, recorded_at, change_row
    ) a
    order by a.person_id, a.source, a.valid_from, a.recorded_at, a.change_row`.execute(db);
  for (const r of rows) {
    let person = byPerson.get(r.person_id);
    if (!person) byPerson.set(r.person_id, (person = new Map()));
    append(person, r.source, { valid_from: r.valid_from, account: { source: r.source, bank_code: r.bank_code, branch_code: r.branch_code, account_type: r.account_type } });
  }
  return byPerson;
}

/** Circumstances without the note: it is not part of what the engine decides on. */
async function circumstanceVersions(db: Kysely<DB>, m: string, personIds: string[], knownAt: Date): Promise<Map<string, PersonCircumstances>> {
  const byPerson = new Map<string, PersonCircumstances>();
  if (personIds.length === 0) return byPerson;
  const { rows } = await sql<Version & { person_id: string; circumstance: CircumstanceKind; program: string; active: boolean }>`
    select c.person_id, c.valid_from, c.circumstance, c.program, c.active from unnest(${personIds}::text[]) as p(person_id)
    cross join lateral (
      select person_id, valid_from, circumstance, program, active, recorded_at, change_row from circumstance_history
      where municipality_code = ${m} and person_id = p.person_id and recorded_at <= ${knownAt}
      order by circumstance, program, valid_from, recorded_at, change_row
    ) c
    order by c.person_id, c.circumstance, c.program, c.valid_from, c.recorded_at, c.change_row`.execute(db);
  for (const r of rows) {
    let person = byPerson.get(r.person_id);
    if (!person) byPerson.set(r.person_id, (person = new Map()));
    append(person, `${r.circumstance}\u0000${r.program}`, {
      valid_from: r.valid_from,
      active: r.active,
      circumstance: { circumstance: r.circumstance, program: r.program === '' ? null : r.program },
    });
  }
  return byPerson;
}

/**
 * For each member of the chunk's households, the decisions of other programs about the
 * household they belonged to on each program's membership date: per program, the decision in
 * force on that date (the latest effective_from on or before it, the latest made among equals),
 * as known at knownAt. Read by programs that name them (`reads_decisions`), e.g. "a member of a
 * household eligible for the 2023 round". A person not resident then, or whose household has no
 * such decision, has none. Where each lived is taken from the chunk's histories (read as known
 * at the same time), so one lookup serves every member of a household.
 */
export async function priorDecisions(
  db: Kysely<DB>,
  m: string,
  histories: HouseholdHistories,
  personIds: string[],
  programs: { program: string; membership: string }[],
  knownAt: Date,
): Promise<Map<string, PriorDecision[]>> {
  const byPerson = new Map<string, PriorDecision[]>();
  if (personIds.length === 0 || programs.length === 0) return byPerson;
  const lookups = new Map<string, { program: string; on: string; household: string }>();
  for (const id of personIds) {
    for (const { program, membership } of programs) {
      const household = histories.householdOn(id, membership);
      if (household !== undefined) lookups.set(`${program}\u0000${household}`, { program, on: membership, household });
    }
  }
  const list = [...lookups.values()];
  const { rows } = await sql<PriorDecision>`
    select x.program, d.outcome, d.amount_yen, x.household_id
    from unnest(${list.map((x) => x.program)}::text[], ${list.map((x) => x.on)}::date[], ${list.map((x) => x.household)}::text[]) as x(program, on_date, household_id)
    cross join lateral (
      select outcome, amount_yen from decisions
      where municipality_code = ${m} and program = x.program and household_id = x.household_id
        and effective_from <= x.on_date and known_at <= ${knownAt}
      order by effective_from desc, id desc limit 1
    ) d
    order by x.program`.execute(db);
  const found = new Map(rows.map((r) => [`${r.program}\u0000${r.household_id}`, r]));
  // Each person's decisions in the database's order of the programs (the order they were read in
  // before, by person and program, which the inputs' hash of recorded decisions depends on).
  const order = [...new Set(rows.map((r) => r.program))].map((program) => programs.find((p) => p.program === program)!);
  for (const id of personIds) {
    const decisions: PriorDecision[] = [];
    for (const { program, membership } of order) {
      const household = histories.householdOn(id, membership);
      const decision = household !== undefined && found.get(`${program}\u0000${household}`);
      if (decision) decisions.push(decision);
    }
    if (decisions.length) byPerson.set(id, decisions);
  }
  return byPerson;
}
