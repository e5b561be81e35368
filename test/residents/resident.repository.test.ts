import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  householdAsOf,
  personAsOf,
  taxAssessmentsAsOf,
  type PointInTime,
} from '../../src/residents/resident.repository.ts';
import { importFile } from '../support/import-file.ts';
import { freshMunicipality } from '../support/municipalities.ts';
import { income, resident, writeCsv, type Row } from '../support/rows.ts';
import { ENVIRONMENTS, type TestEnvironment } from '../support/test-environments.ts';

/** Imports rows and returns a knowledge time just after they were recorded. */
async function load(env: TestEnvironment, kind: 'residents' | 'income', rows: Row[]): Promise<Date> {
  const summary = await importFile(env, kind, writeCsv(rows));
  expect(summary.rejectedRows).toBe(0);
  const knownAt = new Date();
  await new Promise((r) => setTimeout(r, 5));
  return knownAt;
}

describe.each(ENVIRONMENTS)('the store as of a date, as known at a time ($name)', ({ open }) => {
  let env: TestEnvironment;
  const m = freshMunicipality();
  const members = async (household: string, at: PointInTime) =>
    (await householdAsOf(env.db, m, household, at)).map((p) => `${p.person_id}:${p.relationship}`);
  const times: Record<string, Date> = {};

  beforeAll(async () => {
    env = await open();
    const p = (over: Row) => ({ municipality_code: m, household_id: 'H1', ...over });
    // A couple registered since 2020.
    times.registered = await load(env, 'residents', [
      resident(p({ person_id: 'P1', relationship: '世帯主', birth_date: '1970-04-01' })),
      resident(p({ person_id: 'P2', relationship: '妻', birth_date: '1972-08-10', given_name_kana: 'ハナコ' })),
    ]);
    await load(env, 'income', [income({ municipality_code: m, person_id: 'P1', effective_date: '2024-06-01', kintowari: '5000' })]);
    times.taxed = new Date();
    // Their adult son moves in on 2024-05-01.
    times.movedIn = await load(env, 'residents', [
      resident(p({ person_id: 'P3', relationship: '子', birth_date: '2000-01-15', effective_date: '2024-05-01' })),
    ]);
    // The wife moves out on 2024-08-01; the head dies on 2024-10-01 and the son becomes head.
    times.movedOut = await load(env, 'residents', [
      resident(p({ person_id: 'P2', relationship: '妻', birth_date: '1972-08-10', effective_date: '2024-08-01', status: 'moved_out' })),
    ]);
    times.died = await load(env, 'residents', [
      resident(p({ person_id: 'P1', relationship: '世帯主', birth_date: '1970-04-01', effective_date: '2024-10-01', status: 'deceased' })),
      resident(p({ person_id: 'P3', relationship: '世帯主', birth_date: '2000-01-15', effective_date: '2024-10-01' })),
    ]);
    // The son forms his own household on 2024-11-01.
    times.newHousehold = await load(env, 'residents', [
      resident(p({ person_id: 'P3', household_id: 'H2', relationship: '世帯主', birth_date: '2000-01-15', effective_date: '2024-11-01' })),
    ]);
    // Later the register corrects the wife's move-out: it took effect on 2024-06-01 (retroactive).
    times.retroactive = await load(env, 'residents', [
      resident(p({ person_id: 'P2', relationship: '妻', birth_date: '1972-08-10', effective_date: '2024-06-01', status: 'moved_out' })),
    ]);
    // And the tax office corrects the head's 2024 assessment after a decision was made: exempt after all.
    times.taxCorrected = await load(env, 'income', [
      income({ municipality_code: m, person_id: 'P1', effective_date: '2024-06-01', kintowari: '0', shotokuwari: '0', total_income: '400000' }),
    ]);
  });
  afterAll(() => env?.close());

  it('follows a move-in: a member from the effective date on, not before', async () => {
    expect(await members('H1', { asOf: '2024-04-30' })).toEqual(['P1:世帯主', 'P2:妻']);
    expect(await members('H1', { asOf: '2024-05-01' })).toEqual(['P1:世帯主', 'P2:妻', 'P3:子']);
  });

  it('follows a move-out as it was known at the time, and after its retroactive correction', async () => {
    expect(await members('H1', { asOf: '2024-07-01', knownAt: times.newHousehold })).toEqual(['P1:世帯主', 'P2:妻', 'P3:子']);
    expect(await members('H1', { asOf: '2024-07-01' })).toEqual(['P1:世帯主', 'P3:子']);
    expect(await members('H1', { asOf: '2024-08-01', knownAt: times.movedOut })).toEqual(['P1:世帯主', 'P3:子']);
    expect(await members('H1', { asOf: '2024-08-01', knownAt: times.movedIn })).toEqual(['P1:世帯主', 'P2:妻', 'P3:子']);
  });

  it('follows a death and the new 世帯主', async () => {
    expect(await members('H1', { asOf: '2024-09-30' })).toEqual(['P1:世帯主', 'P3:子']);
    expect(await members('H1', { asOf: '2024-10-01' })).toEqual(['P3:世帯主']);
    expect((await personAsOf(env.db, m, 'P1', { asOf: '2024-10-01' }))?.status).toBe('deceased');
    expect((await personAsOf(env.db, m, 'P1', { asOf: '2024-10-01', knownAt: times.movedOut }))?.status).toBe('resident');
  });

  it('follows a change of household', async () => {
    expect(await members('H1', { asOf: '2024-11-01' })).toEqual([]);
    expect(await members('H2', { asOf: '2024-10-31' })).toEqual([]);
    expect(await members('H2', { asOf: '2024-11-01' })).toEqual(['P3:世帯主']);
  });

  it('knows nothing before it was recorded', async () => {
    expect(await personAsOf(env.db, m, 'P1', { asOf: '2024-01-01', knownAt: new Date(times.registered.getTime() - 60_000) })).toBeUndefined();
    expect(await personAsOf(env.db, m, 'P1', { asOf: '2019-12-31' })).toBeUndefined();
  });

  it('answers a tax question as known at a decision, and differently after a later correction', async () => {
    const decisionTime = times.retroactive;
    const atDecision = await taxAssessmentsAsOf(env.db, m, ['P1'], 2024, { asOf: '2024-12-13', knownAt: decisionTime });
    expect(atDecision.map((a) => a.kintowari)).toEqual([5000]);
    const now = await taxAssessmentsAsOf(env.db, m, ['P1'], 2024, { asOf: '2024-12-13' });
    expect(now.map((a) => [a.kintowari, a.total_income])).toEqual([[0, 400000]]);
    expect(await taxAssessmentsAsOf(env.db, m, ['P1'], 2024, { asOf: '2024-05-31' })).toEqual([]);
  });

  it('keeps the latest known version of each record in the current tables', async () => {
    const current = await env.db.selectFrom('persons').select(['person_id', 'household_id', 'status', 'valid_from'])
      .where('municipality_code', '=', m).orderBy('person_id').execute();
    expect(current).toEqual([
      { person_id: 'P1', household_id: 'H1', status: 'deceased', valid_from: '2024-10-01' },
      // The retroactive 2024-06-01 row is older in valid time than the 2024-08-01 one, which stays current.
      { person_id: 'P2', household_id: 'H1', status: 'moved_out', valid_from: '2024-08-01' },
      { person_id: 'P3', household_id: 'H2', status: 'resident', valid_from: '2024-11-01' },
    ]);
    const tax = await env.db.selectFrom('tax_assessments').select(['kintowari']).where('municipality_code', '=', m).execute();
    expect(tax).toEqual([{ kintowari: 0 }]);
  });

  it('records which households each change touches, for the nightly batch', async () => {
    const touched = await env.db.selectFrom('household_changes').select(['household_id'])
      .where('municipality_code', '=', m).where('recorded_at', '>', times.died).distinct().orderBy('household_id').execute();
    // P3's move to H2 touches both households; the tax correction touches P1's household.
    expect(touched.map((t) => t.household_id)).toEqual(['H1', 'H2']);
  });
});
