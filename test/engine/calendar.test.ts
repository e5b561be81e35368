import { describe, expect, it } from 'vitest';
import { addDays, addYears, endOfPreviousMonth, toIso } from '../../src/engine/calendar.ts';

/** The slow, obvious way: parse, shift, print. */
const reference = (iso: string, days: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

describe('calendar', () => {
  it('adds days as Date would, across months, years and leap days, 1900-2100', () => {
    let failures = 0;
    for (let day = Date.UTC(1900, 0, 1); day <= Date.UTC(2100, 11, 31); day += 86_400_000 * 7) {
      const iso = new Date(day).toISOString().slice(0, 10);
      for (const n of [-400, -31, -1, 1, 29, 366]) if (addDays(iso, n) !== reference(iso, n)) failures++;
    }
    expect(failures).toBe(0);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(endOfPreviousMonth('2024-03-15')).toBe('2024-02-29');
  });

  it('adds years keeping month and day; 29 February becomes 1 March in a common year', () => {
    expect(addYears('2006-04-02', 18)).toBe('2024-04-02');
    expect(addYears('2020-02-29', 1)).toBe('2021-03-01');
    expect(addYears('2020-02-29', 4)).toBe('2024-02-29');
  });

  it('shifts years and days as Date.UTC did, malformed dates and years before 100 included', () => {
    const before = (iso: string, years: number, days: number) =>
      toIso(new Date(Date.UTC(Number(iso.slice(0, 4)) + years, Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)) + days)));
    const differing: string[] = [];
    for (let day = Date.UTC(1600, 0, 1); day <= Date.UTC(2400, 11, 31); day += 86_400_000 * 3) {
      const iso = new Date(day).toISOString().slice(0, 10);
      for (const [years, days] of [[0, 1], [0, -1], [1, 0], [3, -1], [18, 0], [-70, 0], [0, 400]]) {
        if ((years === 0 ? addDays(iso, days) : days === 0 ? addYears(iso, years) : addDays(addYears(iso, years), days)) !== before(before(iso, years, 0), 0, days)) differing.push(`${iso} ${years} ${days}`);
      }
    }
    for (const odd of ['2024-2-5', 'abcd-ef-gh', '', '0050-03-01', '2024-02-30', '2024-13-01', '9999-12-31']) {
      for (const [years, days] of [[0, 1], [1, 0], [0, -1]]) {
        const got = years ? addYears(odd, years) : addDays(odd, days);
        if (got !== before(odd, years, days)) differing.push(`${odd} ${years} ${days}: ${got}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it('prints a Date as its UTC calendar day', () => {
    expect(toIso(new Date(Date.UTC(1999, 11, 31, 23, 59)))).toBe('1999-12-31');
  });
});
