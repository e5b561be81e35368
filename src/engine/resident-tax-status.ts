import type { HouseholdSnapshot, MemberSnapshot } from './household-snapshot.ts';
import { legalAge } from './legal-age.ts';

/**
 * A member's resident-tax (住民税) status for a fiscal year, read from the assessments the
 * municipality holds. null means the records cannot tell (someone assessed elsewhere): the
 * household goes to review, never to a denial. Shared by the household facts and the
 * expression functions (kintowari_exempt, shotokuwari_exempt, dependant_of_taxed).
 */

/** 賦課期日: resident tax is assessed on the residents of 1 January of the fiscal year. */
export const assessmentDay = (fiscalYear: string) => `${fiscalYear}-01-01`;

/** Under 18 on 1 January (賦課期日) and living in the municipality then. */
export function minorResidentOnAssessmentDay(member: { birth_date: string; resident_since: string }, fy: string): boolean {
  return legalAge(member.birth_date, assessmentDay(fy)) < 18 && member.resident_since <= assessmentDay(fy);
}

/**
 * No assessment is due: born after 1 January, or (engine 2) a minor who lived here on 1 January
 * and has none (地方税法第295条第1項第2号: minors with 合計所得金額 of 135万円 or less are not
 * charged; a minor with more would have an assessment).
 */
function noneDue(member: MemberSnapshot, fy: string, engineVersion: string): boolean {
  return member.birth_date > assessmentDay(fy) || (engineVersion !== '1' && minorResidentOnAssessmentDay(member, fy));
}

/**
 * Whether a member is exempt from 均等割 for a fiscal year: their assessment says so, unless
 * they are untaxed only under a tax treaty (租税条約), which does not make a household exempt.
 * No assessment: exempt when none is due, otherwise unknown (assessed by the municipality they
 * lived in on 1 January).
 */
export function kintowariExempt(member: MemberSnapshot, fy: string, engineVersion: string): boolean | null {
  const record = member.tax[fy];
  if (record) return record.kintowari === 0 && (engineVersion === '1' || record.treaty_exempt !== true);
  return noneDue(member, fy, engineVersion) ? true : null;
}

/** Whether a member is charged no 所得割 for a fiscal year (exempt, or 均等割 only); the same unknowns as kintowariExempt. */
export function shotokuwariExempt(member: MemberSnapshot, fy: string, engineVersion: string): boolean | null {
  const record = member.tax[fy];
  if (record) return record.shotokuwari === 0 && record.treaty_exempt !== true;
  return noneDue(member, fy, engineVersion) ? true : null;
}

/** What "taxed" means for a supporter: charged resident tax at all, or charged 所得割. */
export type Charged = 'resident_tax' | 'shotokuwari';

/** Whether the person is charged for the fiscal year; null: the municipality holds no record. */
function charged(snapshot: HouseholdSnapshot, personId: string, fy: string, what: Charged): boolean | null {
  const member = snapshot.members.find((m) => m.person_id === personId);
  const record = member ? member.tax[fy] : snapshot.supporters[personId]?.[fy];
  if (!record) return null;
  return what === 'shotokuwari' ? record.shotokuwari > 0 : record.kintowari > 0 || record.shotokuwari > 0;
}

/**
 * Whether a member is the tax dependant (扶養親族等) of someone charged (住民税が課税されている者,
 * or a 所得割 payer). Not a dependant: false. A supporter outside the municipality is known only
 * by the record's `supporter_taxed` (or their own record here), which says nothing of 所得割
 * when true: the supporter's own record decides that test, or it is unknown.
 */
export function dependantOfTaxed(snapshot: HouseholdSnapshot, member: MemberSnapshot, fy: string, engineVersion: string, what: Charged = 'resident_tax'): boolean | null {
  const record = member.tax[fy];
  if (!record?.dependent_of) return record || noneDue(member, fy, engineVersion) ? false : null;
  const isMember = snapshot.members.some((x) => x.person_id === record.dependent_of);
  if (!isMember && record.supporter_taxed != null) {
    if (what === 'resident_tax' || record.supporter_taxed === false) return record.supporter_taxed;
  }
  return charged(snapshot, record.dependent_of, fy, what);
}

/** Kleene's "all": false if any is false, unknown if any is unknown, else true. */
export function allOf(values: (boolean | null)[]): boolean | null {
  if (values.includes(false)) return false;
  return values.includes(null) ? null : true;
}

/** Kleene's "any": true if any is true, unknown if any is unknown, else false. */
export function anyOf(values: (boolean | null)[]): boolean | null {
  if (values.includes(true)) return true;
  return values.includes(null) ? null : false;
}
