import { sql, type Kysely } from 'kysely';
import type { CircumstanceKind, DB, IncomeRow } from '../db/schema.ts';
import type { AccountSummary, Circumstance, HouseholdSnapshot, PriorDecision, TaxRecord } from '../engine/household-snapshot.ts';
import { accountsAsOf, householdMembersAsOf } from './resident.repository.ts';

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
  dates: { membership: string; asOf: string; knownAt: Date; circumstancesOn?: string },
): Promise<HouseholdSnapshot[]> {
  const members = await householdMembersAsOf(db, municipalityCode, householdIds, { asOf: dates.membership, knownAt: dates.knownAt });
  const personIds = members.map((m) => m.person_id);
  const [tax, accounts, circumstances] = await Promise.all([
    taxRecordsAsOf(db, municipalityCode, personIds, dates.asOf, dates.knownAt),
    accountsAsOf(db, municipalityCode, personIds, { asOf: dates.asOf, knownAt: dates.knownAt }),
    activeCircumstances(db, municipalityCode, personIds, dates.circumstancesOn ?? dates.membership, dates.knownAt),
  ]);
  const accountsByPerson = new Map<string, AccountSummary[]>();
  for (const a of accounts) {
    const list = accountsByPerson.get(a.person_id) ?? [];
    list.push({ source: a.source, bank_code: a.bank_code, branch_code: a.branch_code, account_type: a.account_type });
    accountsByPerson.set(a.person_id, list);
  }
  const circumstancesByPerson = new Map<string, Circumstance[]>();
  for (const c of circumstances) {
    const list = circumstancesByPerson.get(c.person_id) ?? [];
    list.push({ circumstance: c.circumstance, program: c.program === '' ? null : c.program });
    circumstancesByPerson.set(c.person_id, list);
  }
  // Supporters' records: those of members of this chunk were loaded with the members (the same
  // dates), the others are read now. Each household then takes those of its members'
  // supporters who are not its own members, wherever they were loaded from.
  const taxByPerson = groupTax(tax);
  const loaded = new Set(personIds);
  const outside = [...new Set(tax.map((t) => t.dependent_of).filter((s): s is string => !!s && !loaded.has(s)))];
  if (outside.length) for (const [id, records] of groupTax(await taxRecordsAsOf(db, municipalityCode, outside, dates.asOf, dates.knownAt))) taxByPerson.set(id, records);

  const byHousehold = new Map<string, HouseholdSnapshot>(
    householdIds.map((id) => [id, { municipality_code: municipalityCode, household_id: id, membership_date: dates.membership, members: [], supporters: {} }]),
  );
  const membersOf = new Map<string, Set<string>>();
  for (const m of members) {
    const snapshot = byHousehold.get(m.household_id)!;
    const own = membersOf.get(m.household_id) ?? new Set<string>();
    own.add(m.person_id);
    membersOf.set(m.household_id, own);
    const member: HouseholdSnapshot['members'][number] = {
      person_id: m.person_id,
      relationship: m.relationship,
      birth_date: m.birth_date,
      resident_since: m.resident_since,
      tax: taxByPerson.get(m.person_id) ?? {},
      accounts: accountsByPerson.get(m.person_id) ?? [],
    };
    // Only when there are some: decisions recorded before circumstances existed have none.
    const active = circumstancesByPerson.get(m.person_id);
    if (active) member.circumstances = active;
    snapshot.members.push(member);
  }
  for (const snapshot of byHousehold.values()) {
    const own = membersOf.get(snapshot.household_id) ?? new Set<string>();
    for (const member of snapshot.members) {
      for (const record of Object.values(member.tax)) {
        const s = record.dependent_of;
        if (s && !own.has(s) && taxByPerson.has(s)) snapshot.supporters[s] = taxByPerson.get(s)!;
      }
    }
  }
  return [...byHousehold.values()];
}

const OPTIONAL_TAX_COLUMNS = ['salary_income', 'pension_income', 'dependants', 'elderly_dependants', 'dependants_abroad', 'treaty_exempt', 'income_tax'] as const;

type TaxRow = Pick<IncomeRow, 'person_id' | 'fiscal_year' | 'total_income' | 'kintowari' | 'shotokuwari' | 'dependent_of' | 'supporter_taxed' | (typeof OPTIONAL_TAX_COLUMNS)[number]>;

async function taxRecordsAsOf(db: Kysely<DB>, m: string, personIds: string[], asOf: string, knownAt: Date): Promise<TaxRow[]> {
  // Per person through the index, as for members (LATERAL).
  const { rows } = await sql<TaxRow>`
    select t.* from unnest(${personIds}::text[]) as p(person_id)
    cross join lateral (
      select distinct on (fiscal_year) person_id, fiscal_year, total_income, kintowari, shotokuwari, dependent_of, supporter_taxed,
             ${sql.raw(OPTIONAL_TAX_COLUMNS.join(', '))}
      from income_history
      where municipality_code = ${m} and person_id = p.person_id and valid_from <= ${asOf}::date and recorded_at <= ${knownAt}
      order by fiscal_year, valid_from desc, recorded_at desc, change_row desc
    ) t`.execute(db);
  return rows;
}

/**
 * The circumstances active on the date, as known at knownAt: per (person, circumstance,
 * program) the latest version on or before the date, kept when it says active. The note is not
 * read: it is not part of what the engine decides on.
 */
async function activeCircumstances(
  db: Kysely<DB>,
  m: string,
  personIds: string[],
  on: string,
  knownAt: Date,
): Promise<{ person_id: string; circumstance: CircumstanceKind; program: string }[]> {
  if (personIds.length === 0) return [];
  const { rows } = await sql<{ person_id: string; circumstance: CircumstanceKind; program: string; active: boolean }>`
    select c.person_id, c.circumstance, c.program, c.active from unnest(${personIds}::text[]) as p(person_id)
    cross join lateral (
      select distinct on (circumstance, program) person_id, circumstance, program, active
      from circumstance_history
      where municipality_code = ${m} and person_id = p.person_id and valid_from <= ${on}::date and recorded_at <= ${knownAt}
      order by circumstance, program, valid_from desc, recorded_at desc, change_row desc
    ) c
    order by c.person_id, c.circumstance, c.program`.execute(db);
  return rows.filter((r) => r.active);
}

function groupTax(rows: TaxRow[]): Map<string, Record<string, TaxRecord>> {
  const map = new Map<string, Record<string, TaxRecord>>();
  for (const r of rows) {
    const records = map.get(r.person_id) ?? {};
    const record: TaxRecord = {
      total_income: r.total_income,
      kintowari: r.kintowari,
      shotokuwari: r.shotokuwari,
      dependent_of: r.dependent_of,
      supporter_taxed: r.supporter_taxed,
    };
    // Only what the record says: snapshots are stored with every decision.
    for (const key of OPTIONAL_TAX_COLUMNS) if (r[key] !== null && r[key] !== undefined) (record as unknown as Record<string, unknown>)[key] = r[key];
    records[String(r.fiscal_year)] = record;
    map.set(r.person_id, records);
  }
  return map;
}

/**
 * For each person, the decisions of other programs about the household they belonged to on each
 * program's membership date: per program, the decision in force on that date (the latest
 * effective_from on or before it, the latest made among equals), as known at knownAt. Read by
 * programs that name them (`reads_decisions`), e.g. "a member of a household eligible for the
 * 2023 round". A person not resident then, or whose household has no such decision, has none.
 */
export async function priorDecisions(
  db: Kysely<DB>,
  m: string,
  personIds: string[],
  programs: { program: string; membership: string }[],
  knownAt: Date,
): Promise<Map<string, PriorDecision[]>> {
  const byPerson = new Map<string, PriorDecision[]>();
  if (personIds.length === 0 || programs.length === 0) return byPerson;
  const { rows } = await sql<PriorDecision & { person_id: string }>`
    select p.person_id, x.program, d.outcome, d.amount_yen, h.household_id
    from unnest(${personIds}::text[]) as p(person_id)
    cross join unnest(${programs.map((x) => x.program)}::text[], ${programs.map((x) => x.membership)}::date[]) as x(program, on_date)
    cross join lateral (
      select household_id, status from person_history
      where municipality_code = ${m} and person_id = p.person_id and valid_from <= x.on_date and recorded_at <= ${knownAt}
      order by valid_from desc, recorded_at desc, change_row desc limit 1
    ) h
    cross join lateral (
      select outcome, amount_yen from decisions
      where municipality_code = ${m} and program = x.program and household_id = h.household_id
        and effective_from <= x.on_date and known_at <= ${knownAt}
      order by effective_from desc, id desc limit 1
    ) d
    where h.status = 'resident'
    order by p.person_id, x.program`.execute(db);
  for (const { person_id, ...d } of rows) {
    const list = byPerson.get(person_id) ?? [];
    list.push(d);
    byPerson.set(person_id, list);
  }
  return byPerson;
}
