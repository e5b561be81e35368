import type { AmountStep, Explanation } from './evaluate-household.ts';
import { numberJa, wareki, warekiMonth, yen } from './wareki.ts';

export const OPERATOR_JA: Record<string, string> = {
  equal: 'と等しい',
  notEqual: 'と異なる',
  lessThan: '未満',
  lessThanInclusive: '以下',
  greaterThan: 'を超える',
  greaterThanInclusive: '以上',
  in: 'のいずれか',
  notIn: 'のいずれでもない',
  confirmed: '（確認できた場合の額）',
};

const OUTCOME_JA = { eligible: '支給対象です', ineligible: '支給対象ではありません', review: '職員による確認が必要です' };

/** A fact's value as staff and residents read it. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return '不明（記録なし）';
  if (value === true) return 'はい';
  if (value === false) return 'いいえ';
  if (typeof value === 'number') return numberJa(value);
  return String(value);
}

const cite = (c: { title: string; article?: string }) => `${c.title}${c.article ?? ''}`;

/** Each condition as one line: met (○), not met (×) or unknown (？), with value, threshold and citation. */
export function conditionLines(e: Explanation): string[] {
  return e.conditions.map((c) => {
    const mark = c.result === null ? '？' : c.result ? '○' : '×';
    return `${mark} ${c.text_ja}（値：${show(c.value)}、基準：${show(c.threshold)}${OPERATOR_JA[c.operator]}、根拠：${cite(c.citation)}）`;
  });
}

/** One step of the amount, e.g. 第3子（2歳）3歳未満・第3子以降. */
export function amountStepLabel(s: AmountStep): string {
  const who = s.person_id ? `${s.birth_order ? `第${s.birth_order}子` : '世帯員'}（${s.age}歳）` : '';
  return `${who}${s.text_ja}`;
}

/** The explanation in plain Japanese, for the notice and for staff at the counter. */
export function explanationText(e: Explanation): string {
  const when = e.amount.period_kind === 'monthly' ? `${warekiMonth(e.evaluation_date)}分` : `基準日 ${wareki(e.evaluation_date)}`;
  const lines = [`${e.program_name_ja}（${when}）：${OUTCOME_JA[e.outcome]}。`];
  if (e.outcome === 'eligible') {
    lines.push(`支給額は${e.amount.period_kind === 'monthly' ? '月額' : ''}${yen(e.amount.total_yen)}です。`);
  }
  lines.push(`世帯の構成は${wareki(e.membership_date)}時点の住民記録によります。`);
  lines.push('判定の理由：', ...conditionLines(e));
  if (e.amount.steps.length) {
    lines.push(e.outcome === 'eligible' ? '支給額の内訳：' : '支給対象となった場合の額の内訳（参考）：');
    for (const s of e.amount.steps) lines.push(`・${amountStepLabel(s)}：${yen(s.value_yen)}（根拠：${cite(s.citation)}）`);
    lines.push(`合計：${yen(e.amount.total_yen)}`);
  }
  if (e.recipient.person_id) lines.push(`受給者：${e.recipient.reason_ja}`);
  return lines.join('\n');
}
