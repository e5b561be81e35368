import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStoreDirectly } from '../../bench/store-loader.ts';
import type { CircumstanceKind, DB, IncomeRow, RecordKind } from '../../src/db/schema.ts';
import type { AccountSummary, Circumstance, HouseholdSnapshot, TaxRecord } from '../../src/engine/household-snapshot.ts';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { loadHouseholdSnapshots, readHouseholdHistories } from '../../src/residents/household-snapshot.repository.ts';
import { householdMembersAsOf } from '../../src/residents/resident.repository.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { account, circumstance, writeCsv, type Row } from '../support/rows.ts';
import { postgresWithRedis, type TestEnvironment } from '../support/test-environments.ts';

/**
 * The chunk reader (one query per table, versions picked in memory) against the reader it
 * replaced (per person through the index, as of each date in SQL), kept here verbatim as the
 * reference: on a generated municipality with corrections recorded later, retroactive changes,
 * moves between households, supporters outside the chunk, circumstances and new accounts, over
 * several chunks, dates and knowledge times. Snapshots are stored with decisions, so they must
 * be the same bytes, key order included.
 */
describe('the chunk snapshot reader reads what the per-person reader read', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  /** Knowledge times: before and after each batch of later changes. */
  const knownAts: Date[] = [];
  let households: string[];

  const load = async (kind: RecordKind, rows: Row[]) => {
    const header = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const file = writeCsv(rows, 'input.csv', header);
    const { rejectedRows } = await importFile(env, kind, file);
    expect(rejectedRows, rejectedRows ? fs.readFileSync(`${file}.rejected.csv`, 'utf8').slice(0, 2000) : '').toBe(0);
    knownAts.push(new Date());
    await new Promise((r) => setTimeout(r, 5));
  };

  beforeAll(async () => {
    env = await postgresWithRedis([]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-snapshots-'));
    const { files } = await generateMunicipality({ households: 150, seed: 'snapshot-reader', municipalityCode: m, outDir: dir });
    await loadStoreDirectly(env.database.url!, files);
    knownAts.push(new Date());
    await new Promise((r) => setTimeout(r, 5));
    const read = (file: string) => parse(fs.readFileSync(file), { columns: true }) as Row[];
    const residents = read(files.residents);
    const income2024 = read(files.income).filter((r) => r.fiscal_year === '2024');
    // Heads who were there before the first move and stay (one row each): households that keep
    // a 世帯主 for people to move into. Those who move were there before too.
    const rowsOf = new Map<string, number>();
    for (const r of residents) rowsOf.set(r.person_id, (rowsOf.get(r.person_id) ?? 0) + 1);
    const settled = (r: Row) => r.status === 'resident' && rowsOf.get(r.person_id) === 1 && r.effective_date < '2024-05-01';
    const heads = residents.filter((r) => r.relationship === '世帯主' && settled(r));
    households = [...new Set(residents.map((r) => r.household_id))].sort();
    const stamp = (r: Row, suffix: string, o: Row) => ({ ...r, change_id: `${r.change_id}-${suffix}`, ...o });

    // 1. Tax corrections recorded later: the same effective date (a 更正 replacing the record),
    //    a retroactive one from September, and supporters who live in another household.
    await load('income', [
      ...income2024.filter((_, i) => i % 7 === 0).map((r) => stamp(r, 'fix', { total_income: '0', kintowari: '0', shotokuwari: '0', salary_income: r.salary_income && '0', pension_income: r.pension_income && '0', income_tax: r.income_tax && '0' })),
      ...income2024.filter((_, i) => i % 11 === 3).map((r) => stamp(r, 'sep', { effective_date: '2024-09-01', dependants: '', elderly_dependants: '', dependants_abroad: '', treaty_exempt: 'true' })),
      ...income2024
        .filter((_, i) => i % 9 === 5)
        .map((r, i) => ({ r, supporter: heads[(i * 31 + 17) % heads.length].person_id }))
        .filter(({ r, supporter }) => supporter !== r.person_id)
        .map(({ r, supporter }) => stamp(r, 'sup', { effective_date: '2024-10-01', dependent_of: supporter, supporter_taxed: 'true' })),
    ]);
    // 2. Moves between households (one retroactive), and people moving away.
    const others = residents.filter((r) => r.relationship !== '世帯主' && settled(r));
    const moved = others.filter((_, i) => i % 8 === 1);
    const moves = moved.map((r, i) => ({ r, effective_date: i % 3 === 0 ? '2024-05-01' : '2024-10-15' }));
    await load('residents', [
      ...moves.map(({ r, effective_date }, i) => stamp(r, 'move', { household_id: heads[(i * 13 + 5) % heads.length].household_id, relationship: '同居人', effective_date })),
      ...others.filter((_, i) => i % 15 === 4).map((r) => stamp(r, 'out', { status: 'moved_out', effective_date: '2024-11-01' })),
    ]);
    // 3. Circumstances that start and stop, 辞退, and accounts registered later.
    const people = residents.filter((r) => r.status === 'resident');
    await load('circumstances', [
      ...people.filter((_, i) => i % 13 === 2).map((r) => circumstance({ municipality_code: m, person_id: r.person_id, effective_date: '2024-04-01' })),
      ...people.filter((_, i) => i % 26 === 2).map((r) => circumstance({ municipality_code: m, person_id: r.person_id, effective_date: '2024-11-01', active: 'false' })),
      ...people.filter((_, i) => i % 17 === 6).map((r) => circumstance({ municipality_code: m, person_id: r.person_id, effective_date: '2024-10-01', circumstance: 'declined', program: 'low-income-household-2024' })),
    ]);
    await load('accounts', people.filter((_, i) => i % 10 === 7).map((r) => account({ municipality_code: m, person_id: r.person_id, source: 'registered', effective_date: '2024-11-01' })));
    // 4. Some moves corrected later (the same effective date, back home).
    await load('residents', moves.filter((x, i) => i % 2 === 0 && x.effective_date === '2024-10-15').map(({ r, effective_date }) => stamp(r, 'back', { effective_date })));
  }, 300_000);
  afterAll(() => env?.close());

  it('gives byte-identical snapshots for every chunk, date and knowledge time', async () => {
    const chunks = [households.slice(0, 40), households.filter((_, i) => i % 5 === 2), households.slice(40)];
    const dates = [
      { membership: '2024-04-01', asOf: '2024-06-01' },
      { membership: '2024-06-01', asOf: '2024-12-13' },
      { membership: '2024-10-01', asOf: '2024-12-13' },
      { membership: '2024-10-15', asOf: '2024-12-13', circumstancesOn: '2024-12-13' },
      { membership: '2024-12-13', asOf: '2024-12-13', circumstancesOn: '2024-12-13' },
    ];
    const seen = { snapshots: 0, members: 0, supportersOutside: 0, circumstances: 0, accounts: 0, moved: 0, corrected: 0 };
    for (const knownAt of [...knownAts, new Date()]) {
      for (const chunk of chunks) {
        const histories = await readHouseholdHistories(env.db, m, chunk, knownAt);
        for (const d of dates) {
          const reference = await referenceSnapshots(env.db, m, chunk, { ...d, knownAt });
          const fromHistories = await histories.snapshots(d);
          const single = await loadHouseholdSnapshots(env.db, m, chunk, { ...d, knownAt });
          expect(JSON.stringify(fromHistories)).toBe(JSON.stringify(reference));
          expect(JSON.stringify(single)).toBe(JSON.stringify(reference));
          const inChunk = new Set(reference.flatMap((s) => s.members.map((x) => x.person_id)));
          for (const s of reference) {
            seen.snapshots++;
            seen.members += s.members.length;
            seen.supportersOutside += Object.keys(s.supporters).filter((id) => !inChunk.has(id)).length;
            seen.circumstances += s.members.filter((x) => x.circumstances).length;
            seen.accounts += s.members.filter((x) => x.accounts?.some((a) => a.bank_code === '0001' && a.branch_code === '100')).length;
            seen.moved += s.members.filter((x) => x.relationship === '同居人').length;
            seen.corrected += s.members.filter((x) => x.tax['2024']?.total_income === 0).length;
          }
        }
      }
    }
    // The cases above were reached, not only households without them.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  });
});

// The reader before issue 15 (commit 7ee9b51), kept as the reference.

async function referenceSnapshots(
  db: Kysely<DB>,
  municipalityCode: string,
  householdIds: string[],
  dates: { membership: string; asOf: string; knownAt: Date; circumstancesOn?: string },
): Promise<HouseholdSnapshot[]> {
  const members = await householdMembersAsOf(db, municipalityCode, householdIds, { asOf: dates.membership, knownAt: dates.knownAt });
  const personIds = members.map((m) => m.person_id);
  const [tax, accounts, circumstances] = await Promise.all([
    taxRecordsAsOf(db, municipalityCode, personIds, dates.asOf, dates.knownAt),
    accountsAsOf(db, municipalityCode, personIds, dates.asOf, dates.knownAt),
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

async function accountsAsOf(db: Kysely<DB>, m: string, personIds: string[], asOf: string, knownAt: Date): Promise<(AccountSummary & { person_id: string })[]> {
  const { rows } = await sql<AccountSummary & { person_id: string }>`
    select a.* from unnest(${personIds}::text[]) as p(person_id)
    cross join lateral (
      select distinct on (source) person_id, source, bank_code, branch_code, account_type from account_history
      where municipality_code = ${m} and person_id = p.person_id
        and valid_from <= ${asOf}::date and recorded_at <= ${knownAt}
      order by source, valid_from desc, recorded_at desc, change_row desc
    ) a`.execute(db);
  return rows;
}

async function activeCircumstances(db: Kysely<DB>, m: string, personIds: string[], on: string, knownAt: Date) {
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
    const record: TaxRecord = { total_income: r.total_income, kintowari: r.kintowari, shotokuwari: r.shotokuwari, dependent_of: r.dependent_of, supporter_taxed: r.supporter_taxed };
    for (const key of OPTIONAL_TAX_COLUMNS) if (r[key] !== null && r[key] !== undefined) (record as unknown as Record<string, unknown>)[key] = r[key];
    records[String(r.fiscal_year)] = record;
    map.set(r.person_id, records);
  }
  return map;
}
