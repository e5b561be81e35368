import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNightly } from '../../src/batch/nightly.service.ts';
import { importRows } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { income, resident, type Row } from '../support/rows.ts';
import { embedded, nightlyContext, programsNamed, type TestEnvironment } from '../support/test-environments.ts';

/**
 * The 2024 benefit for newly exempt households reads the 2023 rounds' decisions of the
 * household each member lived in on 1 December 2023. A night decides it in its first pass only
 * where those households are in the same chunk, whose 2023 decisions the chunk writes first;
 * a household whose member then lived in a household of another chunk waits for the readers'
 * pass, after every chunk has written. Here X left H9 for H1 in January 2024, and a correction
 * of Y's 2023 tax takes H9 out of the 2023 benefit: with a chunk per household, H1 (decided
 * first) must still see H9's new decision (実施要領: 令和5年度給付の支給対象となった世帯の世帯員を
 * 含む世帯は対象外).
 */
describe('a reader whose member lived in a household of another chunk', () => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const programs = programsNamed('price-relief-2023-exempt', 'price-relief-2023-kintowari-only', 'price-relief-2024-newly-exempt');
  const nightly = (date: string) => runNightly({ ...nightlyContext(env, programs), chunkHouseholds: 1 }, date, false);
  const load = (kind: 'residents' | 'income', rows: Row[]) => importRows(env, m, kind, rows);
  const exempt = { total_income: '0', kintowari: '0', shotokuwari: '0' };
  const inForce = async (program: string) =>
    (
      await env.db
        .selectFrom('decisions')
        .select(['household_id', 'outcome'])
        .where('municipality_code', '=', m)
        .where('program', '=', program)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('decisions as n').select('n.id').whereRef('n.supersedes', '=', 'decisions.id'))))
        .orderBy('household_id')
        .execute()
    ).map((d) => `${d.household_id} ${d.outcome}`);

  beforeAll(async () => {
    env = await embedded();
  }, 60_000);
  afterAll(() => env?.close());

  it('is decided after the chunk that changes its member’s 2023 household', async () => {
    await load('residents', [
      resident({ person_id: 'X', household_id: 'H9', relationship: '世帯主', birth_date: '1960-04-01', effective_date: '2015-01-01' }),
      resident({ person_id: 'Y', household_id: 'H9', relationship: '妻', given_name: '花子', given_name_kana: 'ハナコ', birth_date: '1962-07-01', effective_date: '2015-01-01' }),
    ]);
    await load('residents', [
      resident({ person_id: 'X', household_id: 'H1', relationship: '世帯主', birth_date: '1960-04-01', effective_date: '2024-01-15' }),
      resident({ person_id: 'Y', household_id: 'H9', relationship: '世帯主', given_name: '花子', given_name_kana: 'ハナコ', birth_date: '1962-07-01', effective_date: '2024-01-15' }),
    ]);
    await load('income', ['X', 'Y'].flatMap((p) => [income({ person_id: p, fiscal_year: '2023', effective_date: '2023-06-01', ...exempt }), income({ person_id: p, ...exempt })]));
    await nightly('2024-12-13');
    // H9 was a 2023 benefit household, so neither household is newly exempt.
    expect(await inForce('price-relief-2023-exempt')).toEqual(['H9 eligible']);
    expect(await inForce('price-relief-2024-newly-exempt')).toEqual(['H1 ineligible', 'H9 ineligible']);

    // Y's 2023 tax corrected: H9 was not exempt after all. X's 2024 record is sent again (the
    // same values), so both households are planned, H1 in the first chunk.
    await load('income', [
      income({ person_id: 'Y', fiscal_year: '2023', effective_date: '2024-12-16', total_income: '3000000', kintowari: '5000', shotokuwari: '100000' }),
      income({ person_id: 'X', effective_date: '2024-12-16', ...exempt }),
    ]);
    await nightly('2024-12-20');
    expect(await inForce('price-relief-2023-exempt')).toEqual(['H9 ineligible']);
    expect(await inForce('price-relief-2024-newly-exempt')).toEqual(['H1 eligible', 'H9 eligible']);
    // H9 was decided in the first pass (its members' 2023 household is its own chunk); H1 waited.
    const readers = await env.db.selectFrom('batch_plans').select('items').where('stage', '=', 'decide:2024-12-20:readers').execute();
    expect(readers.map((r) => r.items)).toEqual([['H1']]);
    // One decision each this night, none made and then corrected.
    const tonight = await env.db
      .selectFrom('decisions')
      .select(['household_id'])
      .where('municipality_code', '=', m)
      .where('program', '=', 'price-relief-2024-newly-exempt')
      .where('as_of', '=', '2024-12-20')
      .orderBy('household_id')
      .execute();
    expect(tonight.map((d) => d.household_id)).toEqual(['H1', 'H9']);
  });
});
