import type { HouseholdSnapshot, MemberSnapshot } from './household-snapshot.ts';
import { legalAge, withinSchoolYearAfterAge } from './legal-age.ts';

export interface RecipientChoice {
  person: MemberSnapshot | undefined;
  /** The children's parents in the household (父母), or the 世帯主 when none lives there. */
  parents: MemberSnapshot[];
  reason_ja: string;
}

/** 続柄 of the 世帯主's own children (a stepchild is registered as 妻の子 or 夫の子). */
const CHILDREN_OF_HEAD = ['子', '妻の子', '夫の子'];
/** The 世帯主 and spouse: the parents of CHILDREN_OF_HEAD. */
const HEAD_AND_SPOUSE = ['世帯主', '妻', '夫'];
/** The parents of a 孫: the 世帯主's child and that child's spouse. */
const PARENTS_OF_GRANDCHILD = ['子', '子の妻', '子の夫'];

/**
 * Who receives the benefit.
 *
 * 児童手当法 第4条: the children's parents (父母) come first, and of two parents the one who
 * maintains the children more (生計を維持する程度の高い者: in practice the higher 合計所得金額;
 * equal or unknown: the 世帯主's side). A grandparent or other 世帯主 receives only when no parent
 * lives in the household (第4条第1項第2号: 父母に監護されない児童を監護し生計を維持する者).
 * Parents are found from the 続柄 of the household's children (児童, up to the 18歳年度末): the
 * 世帯主's children have the 世帯主 and spouse as parents; a 孫 has the 世帯主's adult child and
 * that child's spouse.
 *
 * Most 給付金: the 世帯主.
 */
export function chooseRecipient(
  snapshot: HouseholdSnapshot,
  rule: 'higher_income_parent' | 'head_of_household',
  fiscalYear: number,
  evaluationDate: string,
  engineVersion: string,
): RecipientChoice {
  const head = snapshot.members.find((m) => m.relationship === '世帯主');
  if (rule === 'head_of_household') return { person: head, parents: head ? [head] : [], reason_ja: '世帯主' };
  if (engineVersion === '1') return chooseRecipientV1(snapshot, head, fiscalYear);
  const parents = parentsInHousehold(snapshot, evaluationDate);
  if (parents.length === 0) {
    return { person: head, parents: head ? [head] : [], reason_ja: '父母が同じ世帯にいないため、児童を監護し生計を維持する世帯主' };
  }
  const income = (m: MemberSnapshot) => m.tax[String(fiscalYear)]?.total_income ?? -1;
  // Sorted by income, then in the order of the 続柄 lists (世帯主 first, then the head's child).
  const best = [...parents].sort((a, b) => income(b) - income(a))[0];
  if (parents.length === 1) return { person: best, parents, reason_ja: '同じ世帯の父または母' };
  if (income(best) < 0) return { person: best, parents, reason_ja: '父母の所得情報がないため、世帯主側の父または母' };
  const tie = parents.every((p) => income(p) === income(best));
  return {
    person: best,
    parents,
    reason_ja: tie ? '父母の所得が同額のため、世帯主側の父または母' : `父母のうち令和${fiscalYear - 2018}年度の合計所得金額が高い方（生計を維持する程度の高い者）`,
  };
}

/** The parents of the household's children who live in it, in 続柄 order (the 世帯主's side first). */
function parentsInHousehold(snapshot: HouseholdSnapshot, date: string): MemberSnapshot[] {
  const isChild = (m: MemberSnapshot) => m.birth_date <= date && withinSchoolYearAfterAge(m.birth_date, 18, date);
  const adult = (m: MemberSnapshot) => m.birth_date <= date && legalAge(m.birth_date, date) >= 18;
  const children = snapshot.members.filter((m) => isChild(m) && !HEAD_AND_SPOUSE.includes(m.relationship));
  const byRelationship = (relationships: string[]) =>
    relationships.flatMap((r) => snapshot.members.filter((m) => m.relationship === r && adult(m)));
  if (children.some((c) => CHILDREN_OF_HEAD.includes(c.relationship))) return byRelationship(HEAD_AND_SPOUSE);
  if (children.some((c) => c.relationship === '孫')) return byRelationship(PARENTS_OF_GRANDCHILD);
  return [];
}

/**
 * Engine 1's choice, kept so its decisions replay as they were made: the higher-income of the
 * 世帯主 and spouse, whoever the children's parents were (a grandparent 世帯主 in a
 * three-generation household was chosen over the children's parents).
 */
function chooseRecipientV1(snapshot: HouseholdSnapshot, head: MemberSnapshot | undefined, fiscalYear: number): RecipientChoice {
  const parents = snapshot.members.filter((m) => HEAD_AND_SPOUSE.includes(m.relationship));
  const income = (m: MemberSnapshot) => m.tax[String(fiscalYear)]?.total_income ?? -1;
  const best = [...parents].sort((a, b) => income(b) - income(a) || (a.relationship === '世帯主' ? -1 : 1))[0];
  if (!best) return { person: head, parents: [], reason_ja: '世帯主（父母の所得情報なし）' };
  const tie = parents.length > 1 && parents.every((p) => income(p) === income(best));
  return { person: best, parents, reason_ja: tie ? '父母の所得が同額のため世帯主' : `父母のうち令和${fiscalYear - 2018}年度の合計所得金額が高い方` };
}
