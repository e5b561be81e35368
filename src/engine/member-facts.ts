import { dayAgeReached, legalAge, under3InMonth, withinSchoolYearAfterAge } from './legal-age.ts';
import type { CircumstanceKind, MemberSnapshot } from './household-snapshot.ts';
import type { RecipientChoice } from './recipient.ts';
import { addDays, firstOfMonth } from './calendar.ts';

/**
 * Facts about one member that amount tiers and member tests may use, computed for an
 * evaluation date (the first day of the month paid, or a program's base date).
 */
export interface MemberFacts {
  person_id: string;
  relationship: string;
  birth_date: string;
  /** Legal age on the evaluation date (年齢計算ニ関スル法律). */
  age: number;
  /** 児童手当法 第6条: under 3 through the month in which 3 is reached. */
  under_3: boolean;
  /** Until the first 31 March after reaching 12 (小学校修了前), 15 (中学校修了前), 18 (高校生年代, 児童手当法 第4条), 22 (第3子の数え方). */
  within_school_year_after_12: boolean;
  within_school_year_after_15: boolean;
  within_school_year_after_18: boolean;
  within_school_year_after_22: boolean;
  /** The benefit's recipient or the children's other parent: parents are not counted as children. */
  is_recipient_or_partner: boolean;
  /** Circumstances (circumstances.csv) active for the decision. */
  public_servant: boolean;
  facility_placement: boolean;
  supported_student: boolean;
  [fact: string]: string | number | boolean;
}

const PARTNER_RELATIONSHIPS = ['世帯主', '妻', '夫'];
const CIRCUMSTANCE_FACTS: CircumstanceKind[] = ['public_servant', 'facility_placement', 'supported_student'];

export const MEMBER_FACT_NAMES = [
  'person_id', 'relationship', 'birth_date', 'age', 'under_3', 'birth_order', 'is_recipient_or_partner',
  'within_school_year_after_12', 'within_school_year_after_15', 'within_school_year_after_18', 'within_school_year_after_22',
  ...CIRCUMSTANCE_FACTS,
];

/** What a birth date gives on an evaluation date: the same for everyone born that day. */
type DateFacts = Pick<MemberFacts, 'age' | 'under_3' | `within_school_year_after_${12 | 15 | 18 | 22}`> & { adult: boolean };

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real 'YYYY-MM-DD' date with a year from 1000 to 8999 as the number YYYYMMDD, read without slicing; NaN otherwise. */
function dateNumber(s: string): number {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN;
  let n = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const digit = s.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    n = n * 10 + digit;
  }
  const year = Math.floor(n / 10000);
  const month = Math.floor(n / 100) % 100;
  const day = n % 100;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const valid = year >= 1000 && year < 9000 && month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && !leap ? 28 : DAYS_IN_MONTH[month]);
  return valid ? n : Number.NaN;
}

// Every member of a run is aged on a few dates: the evaluation date's numbers are kept for the last one.
let lastDate = '';
let on = { date: 0, firstOfMonth: 0, yearMonth: 0, nextYear: 0, nextMonthDay: 0 };

/**
 * The date facts by arithmetic on the dates' digits. They are the definitions in legal-age.ts,
 * which the exhaustive comparison in test/engine/date-facts.test.ts holds them to (and which
 * anything not a plain date goes through): a member's facts are read for every program and
 * date, and a cache keyed by the birth date's string cost more than working them out.
 */
export function dateFacts(b: string, evaluationDate: string, engineVersion: string): DateFacts {
  if (evaluationDate !== lastDate) {
    const date = dateNumber(evaluationDate);
    const next = dateNumber(addDays(evaluationDate, 1));
    on = { date, firstOfMonth: date - (date % 100) + 1, yearMonth: Math.floor(date / 100), nextYear: Math.floor(next / 10000), nextMonthDay: next % 10000 };
    lastDate = evaluationDate;
  }
  const birth = dateNumber(b);
  if (Number.isNaN(birth) || Number.isNaN(on.date) || Number.isNaN(on.nextYear) || engineVersion === '1') return definedDateFacts(b, evaluationDate, engineVersion);
  const year = Math.floor(birth / 10000);
  const monthDay = birth % 10000;
  // 年齢計算ニ関スル法律: the completed years on the next day.
  const age = on.nextYear - year - (on.nextMonthDay < monthDay ? 1 : 0);
  // The first 31 March on or after the day an age is reached: a year later for a birthday after 1 April.
  const schoolYearEnd = (year + (monthDay <= 401 ? 0 : 1)) * 10000 + 331;
  return {
    // Born on or before the date, as the definition says, whenever the age is 18.
    adult: age >= 18,
    age,
    // The last day under 3 is in the birth month, three years on (lastDayUnder3).
    under_3: (year + 3) * 100 + Math.floor(monthDay / 100) >= on.yearMonth,
    within_school_year_after_12: schoolYearEnd + 120000 >= on.firstOfMonth,
    within_school_year_after_15: schoolYearEnd + 150000 >= on.firstOfMonth,
    within_school_year_after_18: schoolYearEnd + 180000 >= on.firstOfMonth,
    within_school_year_after_22: schoolYearEnd + 220000 >= on.firstOfMonth,
  };
}

/** The date facts as legal-age.ts defines them. */
export function definedDateFacts(b: string, evaluationDate: string, engineVersion: string): DateFacts {
  const age = legalAge(b, evaluationDate);
  return {
    adult: b <= evaluationDate && age >= 18,
    age,
    // Engine 1 ended "under 3" the day before the 3rd birthday, a month early for a child born on the 1st.
    under_3: engineVersion === '1' ? firstOfMonth(dayAgeReached(b, 3)) >= firstOfMonth(evaluationDate) : under3InMonth(b, evaluationDate),
    within_school_year_after_12: withinSchoolYearAfterAge(b, 12, evaluationDate),
    within_school_year_after_15: withinSchoolYearAfterAge(b, 15, evaluationDate),
    within_school_year_after_18: withinSchoolYearAfterAge(b, 18, evaluationDate),
    within_school_year_after_22: withinSchoolYearAfterAge(b, 22, evaluationDate),
  };
}

export function memberFacts(member: MemberSnapshot, evaluationDate: string, recipient: RecipientChoice, engineVersion: string): MemberFacts {
  const b = member.birth_date;
  const d = dateFacts(b, evaluationDate, engineVersion);
  const facts: MemberFacts = {
    person_id: member.person_id,
    relationship: member.relationship,
    birth_date: b,
    age: d.age,
    under_3: d.under_3,
    within_school_year_after_12: d.within_school_year_after_12,
    within_school_year_after_15: d.within_school_year_after_15,
    within_school_year_after_18: d.within_school_year_after_18,
    within_school_year_after_22: d.within_school_year_after_22,
    is_recipient_or_partner:
      member.person_id === recipient.person?.person_id ||
      (d.adult && (engineVersion === '1' ? PARTNER_RELATIONSHIPS.includes(member.relationship) : recipient.parents.includes(member))),
    public_servant: false,
    facility_placement: false,
    supported_student: false,
  };
  for (const c of member.circumstances ?? []) if (CIRCUMSTANCE_FACTS.includes(c.circumstance)) facts[c.circumstance] = true;
  return facts;
}
