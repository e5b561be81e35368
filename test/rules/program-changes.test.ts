import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { changesBetween, changesSinceRun, ruleDate } from '../../src/rules/program-changes.ts';
import { loadPrograms, type Program } from '../../src/rules/program-loader.ts';

const programs = loadPrograms(fileURLToPath(new URL('../../rules', import.meta.url)));
const childAllowance = programs.find((p) => p.spec.id === 'child-allowance')!;
const lowIncome = programs.find((p) => p.spec.id === 'low-income-household-2024')!;

/** A program with one parameter value that ends mid-month and one that starts the day after. */
function withMidMonthChange(): Program {
  return {
    ...childAllowance,
    parameters: {
      ...childAllowance.parameters,
      extra: {
        description_ja: 'テスト用',
        unit: 'yen',
        values: [
          { from: '2024-10-01', to: '2025-01-15', value: 1000, source: { title: 'テスト' } },
          { from: '2025-01-16', value: 2000, source: { title: 'テスト' } },
        ],
      },
    },
  };
}

describe('the days on which a program changes by law alone', () => {
  it('finds the 2024-10 child allowance version, the 2022-10 version ending, and every parameter value starting or ending on 2024-10-01', () => {
    const changes = changesBetween(childAllowance, '2024-09-01', '2024-10-01');
    expect(changes[0]).toEqual({ date: '2024-10-01', what: 'version rules-2024-10.json in force from 2024-10-01' });
    expect(changes[1]).toEqual({ date: '2024-10-01', what: 'version rules-2022-10.json in force until 2024-09-30' });
    expect(changes.map((c) => c.what)).toContain('parameter income_upper_limit: value until 2024-09-30');
    expect(changes.map((c) => c.what)).toContain('parameter monthly_1st_2nd: value from 2024-10-01');
    expect(new Set(changes.map((c) => c.date))).toEqual(new Set(['2024-10-01']));
  });

  it('takes the window as (after, upTo]: a change on the day after is in, one on the first day is not', () => {
    expect(changesBetween(childAllowance, '2024-10-01', '2024-12-31')).toEqual([]);
    expect(changesBetween(childAllowance, '2024-09-30', '2024-09-30')).toEqual([]);
    expect(changesBetween(childAllowance, '2024-09-30', '2024-10-01').length).toBeGreaterThan(2);
    expect(changesBetween(childAllowance, '2022-09-30', '2022-10-01')[0]).toEqual({ date: '2022-10-01', what: 'version rules-2022-10.json in force from 2022-10-01' });
  });

  it('a monthly program changes for the run whose month is the first to read the change, not again later in that month', () => {
    expect(ruleDate(childAllowance, '2024-10-11')).toBe('2024-10-01');
    expect(changesSinceRun(childAllowance, '2024-09-13', '2024-09-20')).toEqual([]);
    expect(changesSinceRun(childAllowance, '2024-09-13', '2024-10-11')[0].what).toBe('version rules-2024-10.json in force from 2024-10-01');
    expect(changesSinceRun(childAllowance, '2024-10-11', '2024-10-18')).toEqual([]);
    expect(changesSinceRun(childAllowance, '2024-10-18', '2024-11-13')).toEqual([]);
    // No run in October: the November run is the first to read it.
    expect(changesSinceRun(childAllowance, '2024-09-13', '2024-11-13')[0].date).toBe('2024-10-01');
    // A date earlier than the last run's reads nothing new.
    expect(changesSinceRun(childAllowance, '2024-11-13', '2024-09-13')).toEqual([]);
  });

  it('a value that ends mid-month changes the decision of the next month, which reads it on its first day', () => {
    const program = withMidMonthChange();
    expect(changesSinceRun(program, '2024-12-20', '2025-01-20')).toEqual([]);
    expect(changesSinceRun(program, '2025-01-20', '2025-02-03')).toEqual([
      { date: '2025-01-16', what: 'parameter extra: value from 2025-01-16' },
      { date: '2025-01-16', what: 'parameter extra: value until 2025-01-15' },
    ]);
  });

  it('a one-off program changes once, at the first run on or after its base date', () => {
    expect(ruleDate(lowIncome, '2024-12-12')).toBeUndefined();
    expect(ruleDate(lowIncome, '2024-12-20')).toBe('2024-12-13');
    expect(changesSinceRun(lowIncome, '2024-12-06', '2024-12-12')).toEqual([]);
    const atBase = changesSinceRun(lowIncome, '2024-12-06', '2024-12-13');
    expect(atBase[0]).toEqual({ date: '2024-12-13', what: 'version rules.json in force from 2024-12-13' });
    // The values end on the base date, but the program reads them on that date only.
    expect(atBase.every((c) => c.date === '2024-12-13')).toBe(true);
    expect(changesSinceRun(lowIncome, '2024-12-13', '2024-12-20')).toEqual([]);
    expect(changesSinceRun(lowIncome, '2024-12-20', '2025-01-06')).toEqual([]);
  });

  it('with no last run, every change up to the run date', () => {
    const all = changesSinceRun(childAllowance, undefined, '2024-11-13');
    expect(new Set(all.map((c) => c.date))).toEqual(new Set(['2022-10-01', '2024-10-01']));
    expect(all.map((c) => c.date)).toEqual(all.map((c) => c.date).sort());
  });
});
