import { addDays, addYears, firstOfMonth } from './calendar.ts';

/**
 * Ages as the law counts them (年齢計算ニ関スル法律, 明治35年法律第50号, and 民法第143条): a
 * person reaches an age at the end of the day before the birthday, so "the day the age is
 * reached" is the day before the birthday.
 */
export function dayAgeReached(birthDate: string, age: number): string {
  return addDays(addYears(birthDate, age), -1);
}

let lastOn = '';
let lastNext = '';

/**
 * The legal age on a date: an age is reached at the end of the day before the birthday, so it
 * is the completed years on the next day (a 29 February birthday counts from 1 March).
 */
export function legalAge(birthDate: string, onDate: string): number {
  // Every member of a household, and most households of a run, are aged on the same date.
  if (onDate !== lastOn) {
    lastNext = addDays(onDate, 1);
    lastOn = onDate;
  }
  const next = lastNext;
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
 * The last day a child is "under 3" (三歳に満たない児童, 児童手当法 第6条第1項 括弧書): three years
 * from birth, the day of birth not counted (民法第140条), end at the end of the day before the
 * day corresponding to the day after birth (第143条第2項), or at the month's end when that day
 * does not exist. So it is the 3rd birthday for everyone (born 2021-11-01: 2024-11-01), and 28
 * February for a child born on 29 February.
 */
export function lastDayUnder3(birthDate: string): string {
  return addDays(addYears(addDays(birthDate, 1), 3), -1);
}

/**
 * "Under 3" for a monthly amount: the amount changes from the month after the month in which
 * the child stops being under 3 (第9条), so the under-3 amount is paid through the month of
 * the 3rd birthday, whatever the day of birth.
 */
export function under3InMonth(birthDate: string, month: string): boolean {
  return firstOfMonth(lastDayUnder3(birthDate)) >= firstOfMonth(month);
}
