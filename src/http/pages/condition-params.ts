import { OPERATOR_JA } from '../../engine/explanation-text.ts';
import { HOUSEHOLD_FACTS } from '../../engine/household-facts.ts';
import { wareki } from '../../engine/wareki.ts';

/**
 * A condition's fact and parameters as a reviewer reads them. The parameters are data from the
 * program folder (a fiscal year, a parameter's name, the member tests of count_members), so they
 * are JSON of any shape: written out as 「受給者またはその配偶者：いいえ、かつ …」, never as
 * [object Object].
 */

/** The member facts a member test may name (member-facts.ts), in Japanese. */
const MEMBER_FACTS_JA: Record<string, string> = {
  person_id: '宛名番号',
  relationship: '続柄',
  birth_date: '生年月日',
  age: '年齢',
  under_3: '3歳未満（3歳に達する月まで）',
  birth_order: '出生順',
  is_recipient_or_partner: '受給者またはその配偶者',
  within_school_year_after_12: '12歳到達後最初の3月31日まで（小学生まで）',
  within_school_year_after_15: '15歳到達後最初の3月31日まで（中学生まで）',
  within_school_year_after_18: '18歳到達後最初の3月31日まで（高校生年代まで）',
  within_school_year_after_22: '22歳到達後最初の3月31日まで',
  public_servant: '公務員',
  facility_placement: '施設入所・里親委託（措置）',
  supported_student: '監護・生計維持している22歳年度末までの子（確認書）',
};

const PARAM_NAMES_JA: Record<string, string> = { fiscal_year: '年度', name: '名前', where: '数える世帯員', program: '制度', circumstance: '確かめる事情' };

/** The fact's description (条件に当てはまる世帯員の数); undefined for a fact the page has no words for. */
export function factText(fact: string): string | undefined {
  return Object.hasOwn(HOUSEHOLD_FACTS, fact) ? HOUSEHOLD_FACTS[fact].description_ja : undefined;
}

/** Each parameter as [what it is, its value]. */
export function paramsText(params: Record<string, unknown>): [string, string][] {
  return Object.entries(params).map(([key, value]) => {
    const name = PARAM_NAMES_JA[key] ?? key;
    if (key === 'fiscal_year' && typeof value === 'number' && value > 1900) return [name, `${wareki(`${value}-04-01`).replace(/年.*$/, '年度')}（${value}年度）`];
    if (key === 'where' && Array.isArray(value)) return [name, value.map(memberTest).join('、かつ ')];
    if (key === 'circumstance' && typeof value === 'string') return [name, MEMBER_FACTS_JA[value] ?? value];
    return [name, valueText(value)];
  });
}

function memberTest(test: unknown): string {
  if (test === null || typeof test !== 'object') return valueText(test);
  const t = test as { fact?: unknown; operator?: unknown; value?: unknown; any?: unknown };
  if (Array.isArray(t.any)) return `（${t.any.map(memberTest).join(' または ')}）`;
  const fact = typeof t.fact === 'string' ? (MEMBER_FACTS_JA[t.fact] ?? t.fact) : valueText(t.fact);
  const operator = typeof t.operator === 'string' ? t.operator : '';
  if (operator === 'equal') return `${fact}＝${valueText(t.value)}`;
  return `${fact}が${valueText(t.value)}${OPERATOR_JA[operator] ?? operator}`;
}

function valueText(value: unknown): string {
  if (value === true) return 'はい';
  if (value === false) return 'いいえ';
  if (value === null || value === undefined) return '（なし）';
  if (Array.isArray(value)) return value.map(valueText).join('・');
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.parameter === 'string') return `パラメータ ${v.parameter} の値`;
    return Object.entries(v).map(([k, x]) => `${PARAM_NAMES_JA[k] ?? k}＝${valueText(x)}`).join('、');
  }
  return String(value);
}
