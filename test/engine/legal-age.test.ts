import { describe, expect, it } from 'vitest';
import { dayAgeReached, endOfSchoolYearAfterAge, lastDayUnder3, legalAge, under3InMonth, withinSchoolYearAfterAge } from '../../src/engine/legal-age.ts';

describe('年齢計算ニ関スル法律: an age is reached the day before the birthday', () => {
  it.each([
    ['2006-04-02', 18, '2024-04-01'],
    ['2006-04-01', 18, '2024-03-31'],
    ['2020-03-01', 1, '2021-02-28'],
    ['2020-02-29', 1, '2021-02-28'],
    ['2020-02-29', 4, '2024-02-28'],
  ])('born %s reaches %i on %s', (born, age, day) => expect(dayAgeReached(born, age)).toBe(day));

  it.each([
    ['2000-05-10', '2024-05-08', 23],
    ['2000-05-10', '2024-05-09', 24],
    ['2000-05-10', '2024-05-10', 24],
    ['2024-01-01', '2024-01-01', 0],
  ])('born %s is %i on %s', (born, on, age) => expect(legalAge(born, on)).toBe(age));
});

describe('高校生年代: to the first 31 March on or after the day 18 is reached', () => {
  it('born 1 April ends a school year earlier than born 2 April', () => {
    expect(endOfSchoolYearAfterAge('2006-04-01', 18)).toBe('2024-03-31');
    expect(endOfSchoolYearAfterAge('2006-04-02', 18)).toBe('2025-03-31');
  });
  it('covers March and not April of the last year', () => {
    expect(withinSchoolYearAfterAge('2006-04-01', 18, '2024-03-01')).toBe(true);
    expect(withinSchoolYearAfterAge('2006-04-01', 18, '2024-04-01')).toBe(false);
  });
});

describe('under 3 (児童手当法第6条第1項 括弧書, 民法第140条・第143条): through the month of the 3rd birthday', () => {
  it('ends on the 3rd birthday, whatever the day of birth', () => {
    expect(lastDayUnder3('2021-11-01')).toBe('2024-11-01');
    expect(lastDayUnder3('2021-11-02')).toBe('2024-11-02');
    expect(lastDayUnder3('2021-12-31')).toBe('2024-12-31');
  });
  it('ends on 28 February for a child born on 29 February when the year has none', () => {
    expect(lastDayUnder3('2020-02-29')).toBe('2023-02-28');
    expect(under3InMonth('2020-02-29', '2023-02-01')).toBe(true);
    expect(under3InMonth('2020-02-29', '2023-03-01')).toBe(false);
  });
  it('born on the 1st or the 2nd, the lower amount starts the month after the birthday', () => {
    expect(under3InMonth('2021-11-01', '2024-10-01')).toBe(true);
    expect(under3InMonth('2021-11-01', '2024-11-01')).toBe(true);
    expect(under3InMonth('2021-11-01', '2024-12-01')).toBe(false);
    expect(under3InMonth('2021-11-02', '2024-11-01')).toBe(true);
    expect(under3InMonth('2021-11-02', '2024-12-01')).toBe(false);
  });
});

describe('the closed forms agree with the definition (the day the age is reached)', () => {
  const births = ['2000-01-01', '2000-02-29', '2003-03-31', '2004-04-01', '2004-04-02', '2005-12-31', '2012-02-28'];
  const days = (from: string, count: number) =>
    Array.from({ length: count }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));

  it('legal age: the largest age whose day reached is on or before the date', () => {
    for (const born of births) {
      for (const on of days('2020-01-01', 1500)) {
        let age = 0;
        while (on >= dayAgeReached(born, age + 1)) age++;
        expect(legalAge(born, on), `${born} on ${on}`).toBe(age);
      }
    }
  });

  it('end of the school year: the first 31 March on or after the day the age is reached', () => {
    for (const born of births) {
      for (const age of [3, 12, 15, 18, 22]) {
        const reached = dayAgeReached(born, age);
        const march31 = `${reached.slice(0, 4)}-03-31`;
        const expected = reached <= march31 ? march31 : `${Number(reached.slice(0, 4)) + 1}-03-31`;
        expect(endOfSchoolYearAfterAge(born, age), `${born} age ${age}`).toBe(expected);
      }
    }
  });
});
