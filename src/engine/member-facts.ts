import { legalAge, under3InMonth, withinSchoolYearAfterAge } from './legal-age.ts';
import type { MemberSnapshot } from './household-snapshot.ts';

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
  /** The benefit's recipient or their spouse: parents are not counted as children. */
  is_recipient_or_partner: boolean;
  [fact: string]: string | number | boolean;
}

export const PARTNER_RELATIONSHIPS = ['世帯主', '妻', '夫'];

export const MEMBER_FACT_NAMES = [
  'person_id', 'relationship', 'birth_date', 'age', 'under_3', 'birth_order', 'is_recipient_or_partner',
  'within_school_year_after_12', 'within_school_year_after_15', 'within_school_year_after_18', 'within_school_year_after_22',
];

export function memberFacts(member: MemberSnapshot, evaluationDate: string, recipientId: string | undefined): MemberFacts {
  const b = member.birth_date;
  return {
    person_id: member.person_id,
    relationship: member.relationship,
    birth_date: b,
    age: legalAge(b, evaluationDate),
    under_3: under3InMonth(b, evaluationDate),
    within_school_year_after_12: withinSchoolYearAfterAge(b, 12, evaluationDate),
    within_school_year_after_15: withinSchoolYearAfterAge(b, 15, evaluationDate),
    within_school_year_after_18: withinSchoolYearAfterAge(b, 18, evaluationDate),
    within_school_year_after_22: withinSchoolYearAfterAge(b, 22, evaluationDate),
    is_recipient_or_partner:
      member.person_id === recipientId ||
      (PARTNER_RELATIONSHIPS.includes(member.relationship) && b <= evaluationDate && legalAge(b, evaluationDate) >= 18),
  };
}
