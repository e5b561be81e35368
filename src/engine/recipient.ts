import type { HouseholdSnapshot, MemberSnapshot } from './household-snapshot.ts';
import { PARTNER_RELATIONSHIPS } from './member-facts.ts';

export interface RecipientChoice {
  person: MemberSnapshot | undefined;
  reason_ja: string;
}

/**
 * Who receives the benefit. 児童手当法 第4条: the parent who mainly supports the children, in
 * practice the one with the higher income (equal: the 世帯主). Most 給付金: the 世帯主.
 */
export function chooseRecipient(
  snapshot: HouseholdSnapshot,
  rule: 'higher_income_parent' | 'head_of_household',
  fiscalYear: number,
): RecipientChoice {
  const head = snapshot.members.find((m) => m.relationship === '世帯主');
  if (rule === 'head_of_household') return { person: head, reason_ja: '世帯主' };
  const parents = snapshot.members.filter((m) => PARTNER_RELATIONSHIPS.includes(m.relationship));
  const income = (m: MemberSnapshot) => m.tax[String(fiscalYear)]?.total_income ?? -1;
  const best = [...parents].sort((a, b) => income(b) - income(a) || (a.relationship === '世帯主' ? -1 : 1))[0];
  if (!best) return { person: head, reason_ja: '世帯主（父母の所得情報なし）' };
  const tie = parents.length > 1 && parents.every((p) => income(p) === income(best));
  return { person: best, reason_ja: tie ? '父母の所得が同額のため世帯主' : `父母のうち令和${fiscalYear - 2018}年度の合計所得金額が高い方` };
}
