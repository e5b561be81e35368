import { sql, type Kysely } from 'kysely';
import type { DB, IncomeRow } from '../db/schema.ts';
import type { AccountSummary, HouseholdSnapshot, TaxRecord } from '../engine/household-snapshot.ts';
import { accountsAsOf, householdMembersAsOf } from './resident.repository.ts';

/**
 * The engine's view of households, read in bulk: members as of the membership date, tax
 * records as they stood on the decision date (a later 更正 counts), both as known at `knownAt`.
 * Households with no members on the date get an empty snapshot, so a household that moved
 * away is decided (and stopped) rather than forgotten.
 */
export async function loadHouseholdSnapshots(
  db: Kysely<DB>,
  municipalityCode: string,
  householdIds: string[],
  dates: { membership: string; asOf: string; knownAt: Date },
): Promise<HouseholdSnapshot[]> {
  const members = await householdMembersAsOf(db, municipalityCode, householdIds, { asOf: dates.membership, knownAt: dates.knownAt });
  const personIds = members.map((m) => m.person_id);
  const [tax, accounts] = await Promise.all([
    taxRecordsAsOf(db, municipalityCode, personIds, dates.asOf, dates.knownAt),
    accountsAsOf(db, municipalityCode, personIds, { asOf: dates.asOf, knownAt: dates.knownAt }),
  ]);
  const accountsByPerson = new Map<string, AccountSummary[]>();
  for (const a of accounts) {
    const list = accountsByPerson.get(a.person_id) ?? [];
    list.push({ source: a.source, bank_code: a.bank_code, branch_code: a.branch_code, account_type: a.account_type });
    accountsByPerson.set(a.person_id, list);
  }
  const memberIds = new Set(personIds);
  const supporterIds = [...new Set(tax.map((t) => t.dependent_of).filter((s): s is string => !!s && !memberIds.has(s)))];
  const supporterTax = supporterIds.length ? await taxRecordsAsOf(db, municipalityCode, supporterIds, dates.asOf, dates.knownAt) : [];

  const taxByPerson = groupTax(tax);
  const supportersByPerson = groupTax(supporterTax);
  const byHousehold = new Map<string, HouseholdSnapshot>(
    householdIds.map((id) => [id, { municipality_code: municipalityCode, household_id: id, membership_date: dates.membership, members: [], supporters: {} }]),
  );
  for (const m of members) {
    const snapshot = byHousehold.get(m.household_id)!;
    const records = taxByPerson.get(m.person_id) ?? {};
    snapshot.members.push({
      person_id: m.person_id,
      relationship: m.relationship,
      birth_date: m.birth_date,
      resident_since: m.resident_since,
      tax: records,
      accounts: accountsByPerson.get(m.person_id) ?? [],
    });
    for (const record of Object.values(records)) {
      const s = record.dependent_of;
      if (s && supportersByPerson.has(s)) snapshot.supporters[s] = supportersByPerson.get(s)!;
    }
  }
  return [...byHousehold.values()];
}

type TaxRow = Pick<IncomeRow, 'person_id' | 'fiscal_year' | 'total_income' | 'kintowari' | 'shotokuwari' | 'dependent_of' | 'supporter_taxed'>;

async function taxRecordsAsOf(db: Kysely<DB>, m: string, personIds: string[], asOf: string, knownAt: Date): Promise<TaxRow[]> {
  // Per person through the index, as for members (LATERAL).
  const { rows } = await sql<TaxRow>`
    select t.* from unnest(${personIds}::text[]) as p(person_id)
    cross join lateral (
      select distinct on (fiscal_year) person_id, fiscal_year, total_income, kintowari, shotokuwari, dependent_of, supporter_taxed
      from income_history
      where municipality_code = ${m} and person_id = p.person_id and valid_from <= ${asOf}::date and recorded_at <= ${knownAt}
      order by fiscal_year, valid_from desc, recorded_at desc, change_row desc
    ) t`.execute(db);
  return rows;
}

function groupTax(rows: TaxRow[]): Map<string, Record<string, TaxRecord>> {
  const map = new Map<string, Record<string, TaxRecord>>();
  for (const r of rows) {
    const records = map.get(r.person_id) ?? {};
    records[String(r.fiscal_year)] = {
      total_income: r.total_income,
      kintowari: r.kintowari,
      shotokuwari: r.shotokuwari,
      dependent_of: r.dependent_of,
      supporter_taxed: r.supporter_taxed,
    };
    map.set(r.person_id, records);
  }
  return map;
}
