import { createHash } from 'node:crypto';
import { yen } from '../engine/wareki.ts';
import type { NoticeContent, NoticeKind } from './notice-content.ts';

/**
 * One envelope per addressee and household per run (docs/notices.md): every letter a run makes
 * for one person of one household goes in one envelope, as one PDF, in the order a resident
 * reads them: what was decided first, then what they are asked to do. Letters to two persons
 * of one household (児童手当 to the parent who earns more, a 給付金 to the 世帯主) stay in two
 * envelopes: a 処分 is notified to the person it concerns.
 */

const ORDER: NoticeKind[] = ['支給決定', '額の変更', '支給停止', '不支給', '返還', '口座登録のお願い', '確認書提出のお願い', '確認のお願い'];

/** E + 16 hex digits of the letters' ids: the same letters always make the same envelope (and file name). */
export function envelopeIdFor(noticeIds: string[]): string {
  return `E${createHash('sha256').update([...noticeIds].sort().join('\0')).digest('hex').slice(0, 16).toUpperCase()}`;
}

/** The letters in reading order (kind, then program, then id). */
export function envelopeOrder<T extends { notice_id: string; kind: string; program: string }>(letters: T[]): T[] {
  const rank = (k: string) => ORDER.indexOf(k as NoticeKind);
  return [...letters].sort((a, b) => rank(a.kind) - rank(b.kind) || a.program.localeCompare(b.program) || a.notice_id.localeCompare(b.notice_id));
}

/**
 * What is printed for one envelope: several programs' 口座登録のお願い to one person become one
 * letter (one account serves them all), and the first letter lists what else is enclosed.
 */
export function envelopeLetters(contents: NoticeContent[]): NoticeContent[] {
  const requests = contents.filter((c) => c.kind === '口座登録のお願い');
  let letters = contents;
  if (requests.length > 1) {
    const merged = mergeAccountRequests(requests);
    letters = contents.flatMap((c) => (c === requests[0] ? [merged] : c.kind === '口座登録のお願い' ? [] : [c]));
  }
  if (letters.length > 1) letters = [{ ...letters[0], enclosures: letters.slice(1).map((l) => l.title) }, ...letters.slice(1)];
  return letters;
}

function mergeAccountRequests(requests: NoticeContent[]): NoticeContent {
  const [first] = requests;
  const names = requests.map((r) => r.programName);
  return {
    ...first,
    title: '振込口座登録のお願い',
    programName: names.join('・'),
    summary: `あなたは${names.map((n) => `「${n}」`).join('と')}の支給対象ですが、お支払いに使える口座が確認できません。同封の口座登録届により口座をご登録ください。ご登録の後、次の支払日にお支払いします。`,
    amountYen: undefined,
    amountLabel: undefined,
    period: undefined,
    details: requests.map((r) => ({ label: r.programName, value: [r.amountYen !== undefined ? yen(r.amountYen) : '', r.period ?? ''].filter(Boolean).join('（') + (r.amountYen !== undefined && r.period ? '）' : '') })),
  };
}
