import { dayAgeReached, legalAge, under3InMonth, withinSchoolYearAfterAge } from './legal-age.ts';
import type { CircumstanceKind, MemberSnapshot } from './household-snapshot.ts';
import type { RecipientChoice } from './recipient.ts';
import { firstOfMonth } from './calendar.ts';

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

// A run evaluates a few dates for people born on some 40,000 days: each pair is worked out once.
// By date (and engine), then birth date; the last date's map is kept at hand, as most evaluations
// in a row share it.
const byDate = new Map<string, Map<string, DateFacts>>();
let lastDate = '';
let lastEngine = '';
let lastBirths = new Map<string, DateFacts>();
const BIRTH_DATES_KEPT = 100_000;
const DATES_KEPT = 16;

function dateFacts(b: string, evaluationDate: string, engineVersion: string): DateFacts {
  if (evaluationDate !== lastDate || engineVersion !== lastEngine) {
    const key = `${engineVersion}|${evaluationDate}`;
    // A worker runs night after night: only the latest dates are kept.
    if (!byDate.has(key) && byDate.size >= DATES_KEPT) byDate.clear();
    if (!byDate.has(key)) byDate.set(key, new Map());
    [lastDate, lastEngine, lastBirths] = [evaluationDate, engineVersion, byDate.get(key)!];
  }
  let facts = lastBirths.get(b);
  if (!facts) {
    if (lastBirths.size >= BIRTH_DATES_KEPT) lastBirths.clear();
    const age = legalAge(b, evaluationDate);
    facts = {
      adult: b <= evaluationDate && age >= 18,
      age,
      // Engine 1 ended "under 3" the day before the 3rd birthday, a month early for a child born on the 1st.
      under_3: engineVersion === '1' ? firstOfMonth(dayAgeReached(b, 3)) >= firstOfMonth(evaluationDate) : under3InMonth(b, evaluationDate),
      within_school_year_after_12: withinSchoolYearAfterAge(b, 12, evaluationDate),
      within_school_year_after_15: withinSchoolYearAfterAge(b, 15, evaluationDate),
      within_school_year_after_18: withinSchoolYearAfterAge(b, 18, evaluationDate),
      within_school_year_after_22: withinSchoolYearAfterAge(b, 22, evaluationDate),
    };
    lastBirths.set(b, facts);
  }
  return facts;
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
