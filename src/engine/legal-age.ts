import { addDays, addYears, firstOfMonth } from './calendar.ts';

/**
 * Ages as the law counts them (年齢計算ニ関スル法律, 明治35年法律第50号, and 民法第143条): a
 * person reaches an age at the end of the day before the birthday, so "the day the age is
 * reached" is the day before the birthday.
 */
export function dayAgeReached(birthDate: string, age: number): string {
  return addDays(addYears(birthDate, age), -1);
}

/** The legal age on a date: completed years, counting the day before each birthday. */
export function legalAge(birthDate: string, onDate: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = onDate.split('-').map(Number);
  let age = y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
  // Reached on the day before the birthday.
  if (dayAgeReached(birthDate, age + 1) <= onDate) age += 1;
  return age;
}

/**
 * The first 31 March on or after the day the age is reached: how 児童手当法 第4条 bounds the
 * 18-year (高校生年代) and 22-year (birth-order) counts, and school years in general. Born
 * 2006-04-01 reaches 18 on 2024-03-31, so the period ends 2024-03-31; born 2006-04-02 reaches 18
 * on 2024-04-01, so it ends 2025-03-31.
 */
export function endOfSchoolYearAfterAge(birthDate: string, age: number): string {
  const reached = dayAgeReached(birthDate, age);
  const year = Number(reached.slice(0, 4));
  const march31 = `${year}-03-31`;
  return reached <= march31 ? march31 : `${year + 1}-03-31`;
}

/** True while the period that ends on the first 31 March after reaching `age` still covers `month` (any day in it). */
export function withinSchoolYearAfterAge(birthDate: string, age: number, month: string): boolean {
  return endOfSchoolYearAfterAge(birthDate, age) >= firstOfMonth(month);
}

/**
 * "Under 3" for a monthly amount: through the month in which age 3 is reached (児童手当法
 * 第6条). Born on the 1st of a month, the child reaches 3 on the last day of the month before
 * the birthday, so the lower amount starts a month earlier than for a child born on the 2nd.
 */
export function under3InMonth(birthDate: string, month: string): boolean {
  return firstOfMonth(dayAgeReached(birthDate, 3)) >= firstOfMonth(month);
}
