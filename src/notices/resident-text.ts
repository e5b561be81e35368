import type { ConditionResult, Explanation } from '../engine/evaluate-household.ts';
import { numberJa, wareki, warekiMonth } from '../engine/wareki.ts';
import type { NoticeText } from '../rules/program-schema.ts';

/**
 * The reasons a resident reads, drawn from the recorded explanation with the sentences of the
 * program folder (program.json `notice`): no ○×？ marks, values, thresholds or citations,
 * which are for staff (the decision page shows them). The explanation itself is not changed.
 */

/** A value as a resident reads it inside a sentence: 2, 令和6年4月1日. */
function plain(value: unknown): string {
  if (typeof value === 'number') return numberJa(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return wareki(value);
  if (Array.isArray(value)) return numberJa(value.length);
  return value === null || value === undefined ? '' : String(value);
}

/** Fills {name} placeholders; the loader refuses a template with another name. */
export function fillTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => plain(values[name]));
}

/** The sentence for one condition: the program's resident sentence, else its text_ja. */
export function conditionSentence(c: ConditionResult, text: NoticeText | undefined): string {
  const key = c.result === null ? 'unknown' : c.result ? 'pass' : 'fail';
  const template = text?.resident_ja[c.id]?.[key];
  return template ? fillTemplate(template, { value: c.value, threshold: c.threshold }) : c.text_ja;
}

/**
 * The conditions a letter names: for a benefit paid, those met; for one not paid, those that
 * stopped it. That the household has registered members is true of everyone a letter reaches,
 * so it is not said; an unknown condition is not a reason once staff have decided the case.
 */
export function residentReasons(e: Explanation & { staff?: { reason: string } }, text: NoticeText | undefined): string[] {
  const paid = e.outcome === 'eligible';
  return e.conditions
    .filter((c) => (paid ? c.result === true && c.id !== 'household_has_members' : c.result === false || (c.result === null && !e.staff)))
    .map((c) => sentence(conditionSentence(c, text)));
}

/** Ends a sentence with 。 (the folders' sentences are written without one, as labels). */
const sentence = (s: string) => (/[。）」]$/.test(s) ? s : `${s}。`);

/** Why the letter reads the household on the date it does, never a bare date. */
export function membershipSentence(e: Explanation, text: NoticeText | undefined): string {
  // {month} is already 和暦 text (令和6年12月), not an ISO date for plain().
  if (text?.membership_ja) return fillTemplate(text.membership_ja.replace(/\{month\}/g, warekiMonth(e.evaluation_date)), { date: e.membership_date });
  return e.amount.period_kind === 'monthly'
    ? `${warekiMonth(e.evaluation_date)}分の額は、その前月の末日（${wareki(e.membership_date)}）の住民記録による世帯の状況で決まります。`
    : `この給付は、基準日（${wareki(e.membership_date)}）の住民記録による世帯の状況で決まります。`;
}
