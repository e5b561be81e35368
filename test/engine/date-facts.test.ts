import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/engine/calendar.ts';
import { dateFacts, definedDateFacts } from '../../src/engine/member-facts.ts';

/** Every day from `from` to `to`, inclusive. */
function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The dates where some fact changes for someone: month starts and ends, 28 Feb to 1 Mar, 31 Mar and 1 Apr. */
function boundaryDates(fromYear: number, toYear: number): string[] {
  const out = new Set<string>();
  for (let y = fromYear; y <= toYear; y++) {
    for (let m = 1; m <= 12; m++) {
      const first = `${y}-${String(m).padStart(2, '0')}-01`;
      out.add(first);
      out.add(addDays(first, 1));
      out.add(addDays(first, -1));
    }
    for (const md of ['02-28', '03-30', '03-31', '04-02', '12-13']) out.add(`${y}-${md}`);
    if (y % 4 === 0) out.add(`${y}-02-29`);
  }
  return [...out].sort();
}

describe('member date facts by arithmetic (member-facts.ts) give what legal-age.ts defines', () => {
  const differences = (births: string[], dates: string[], engineVersion = '2') => {
    const found: string[] = [];
    for (const on of dates) {
      for (const b of births) {
        const fast = dateFacts(b, on, engineVersion);
        const defined = definedDateFacts(b, on, engineVersion);
        if (JSON.stringify(fast) !== JSON.stringify(defined) && found.length < 5) found.push(`born ${b} on ${on}: ${JSON.stringify(fast)} ≠ ${JSON.stringify(defined)}`);
      }
    }
    return found;
  };

  it('for everyone born 1900–2030, on the dates the programs decide on and around 29 February', () => {
    const births = days('1900-01-01', '2030-12-31');
    const dates = ['2023-12-01', '2024-06-03', '2024-12-01', '2024-12-13', '2024-02-28', '2024-02-29', '2024-03-01', '2025-03-01', '2100-03-01'];
    expect(differences(births, dates)).toEqual([]);
  });

  it('for everyone born 2000–2024, on every boundary of the ages 3, 12, 15, 18 and 22 in 2022–2025', () => {
    expect(differences(days('2000-01-01', '2024-12-31'), boundaryDates(2022, 2025))).toEqual([]);
  });

  it('born on 29 February, on every day of four years', () => {
    expect(differences(['1996-02-29', '2000-02-29', '2020-02-29', '2021-02-28', '2021-03-01'], days('2021-01-01', '2024-12-31'))).toEqual([]);
  });

  it('anything that is not a plain date, and engine 1, go through the definitions themselves', () => {
    const odd = ['2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '0999-05-05', '9999-12-31', '2024-1-01', '', 'x'.repeat(10)];
    for (const b of odd) expect(dateFacts(b, '2024-12-01', '2')).toEqual(definedDateFacts(b, '2024-12-01', '2'));
    expect(dateFacts('2021-11-01', '2024-12-31x', '2')).toEqual(definedDateFacts('2021-11-01', '2024-12-31x', '2'));
    expect(differences(days('2020-01-01', '2022-12-31'), ['2024-11-01', '2024-12-01'], '1')).toEqual([]);
  });
});
