import { describe, expect, it } from 'vitest';
import { dayAgeReached, endOfSchoolYearAfterAge, legalAge, under3InMonth, withinSchoolYearAfterAge } from '../../src/engine/legal-age.ts';

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

describe('under 3: through the month in which 3 is reached', () => {
  it('born on the 1st moves to the lower amount a month earlier than born on the 2nd', () => {
    expect(under3InMonth('2021-11-01', '2024-10-01')).toBe(true);
    expect(under3InMonth('2021-11-01', '2024-11-01')).toBe(false);
    expect(under3InMonth('2021-11-02', '2024-11-01')).toBe(true);
    expect(under3InMonth('2021-11-02', '2024-12-01')).toBe(false);
  });
});
