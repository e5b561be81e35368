import { addDays, addYears, firstOfMonth } from './calendar.ts';

/**
 * Ages as the law counts them (年齢計算ニ関スル法律, 明治35年法律第50号, and 民法第143条): a
 * person reaches an age at the end of the day before the birthday, so "the day the age is
 * reached" is the day before the birthday.
 */
export function dayAgeReached(birthDate: string, age: number): string {
  return addDays(addYears(birthDate, age), -1);
}

/**
 * The legal age on a date: an age is reached at the end of the day before the birthday, so it
 * is the completed years on the next day (a 29 February birthday counts from 1 March).
 */
export function legalAge(birthDate: string, onDate: string): number {
  const next = addDays(onDate, 1);
  const years = Number(next.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return next.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/**
 * The first 31 March on or after the day the age is reached: how 児童手当法 第4条 bounds the
 * 18-year (高校生年代) and 22-year (birth-order) counts, and school years in general. Born
 * 2006-04-01 reaches 18 on 2024-03-31, so the period ends 2024-03-31; born 2006-04-02 reaches 18
 * on 2024-04-01, so it ends 2025-03-31.
 */
export function endOfSchoolYearAfterAge(birthDate: string, age: number): string {
  // The day before the birthday falls on or before 31 March exactly when the birthday is on or
  // before 1 April (早生まれ), so only the month and day decide which 31 March.
  const year = Number(birthDate.slice(0, 4)) + age + (birthDate.slice(5) <= '04-01' ? 0 : 1);
  return `${year}-03-31`;
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
