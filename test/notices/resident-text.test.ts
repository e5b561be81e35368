import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../src/engine/evaluate-household.ts';
import { envelopeLetters } from '../../src/notices/envelope.ts';
import { fullAddress } from '../../src/notices/recipient-address.ts';
import { membershipSentence, residentReasons } from '../../src/notices/resident-text.ts';
import { programFromFiles, loadProgram } from '../../src/rules/program-loader.ts';
import { accountRequest, granted } from './support/fixtures.ts';

const folder = fileURLToPath(new URL('../../rules/child-allowance', import.meta.url));
const program = loadProgram(folder);
const settings = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../examples/municipality-141003.json', import.meta.url)), 'utf8'));

const condition = (id: string, value: unknown, result: boolean | null, text_ja: string) => ({
  id, fact: id, value, operator: 'greaterThanInclusive', threshold: 1, result, citation: { title: '児童手当法', article: '第4条' }, text_ja,
});
const explanation = (outcome: Explanation['outcome'], conditions: ReturnType<typeof condition>[]): Explanation => ({
  program: 'child-allowance', program_name_ja: '児童手当', rule_version: 'x', engine_version: '2', rules_file: 'rules-2024-10.json',
  evaluation_date: '2024-12-01', membership_date: '2024-11-30', outcome, conditions,
  amount: { total_yen: 20000, paid: outcome === 'eligible', period_kind: 'monthly', steps: [] }, recipient: { person_id: 'P1', reason_ja: '' },
});

describe('reasons a resident reads (program.json notice.resident_ja)', () => {
  const text = program.spec.notice;

  it('says how many children, from the condition’s value, with no marks, values or citations', () => {
    const e = explanation('eligible', [
      condition('household_has_members', 3, true, '判定日に住民登録のある世帯員がいます'),
      condition('has_child_in_high_school_years', 2, true, '高校生年代までの児童を養育しています'),
    ]);
    expect(residentReasons(e, text)).toEqual(['お子さま2人（高校生年代まで）を養育しています。']);
  });

  it('gives the reason a benefit stops, and leaves out what is unknown once staff decided', () => {
    const unknown = condition('supported_student_confirmation', ['C3'], null, '確認書が未提出');
    expect(residentReasons(explanation('ineligible', [condition('has_child_in_high_school_years', 0, false, 'x'), unknown]), text)).toEqual([
      '高校生年代まで（18歳到達後最初の3月31日まで）のお子さまが同じ世帯にいません。',
      '確認書が未提出。',
    ]);
    expect(residentReasons({ ...explanation('eligible', [unknown]), staff: { reason: '確認書を受理' } }, text)).toEqual([]);
  });

  it('says why the household is read on the date it is', () => {
    expect(membershipSentence(explanation('eligible', []), text)).toBe(
      '令和6年12月分の手当の支給と額は、その前月の末日（令和6年11月30日）の住民記録による世帯の状況（お子さまの人数・年齢）で決まります。',
    );
  });

  it('is checked when the folder loads: a condition that does not exist, a placeholder the notices do not fill', () => {
    const spec = JSON.parse(program.files['program.json']);
    const broken = { ...spec, notice: { ...spec.notice, resident_ja: { no_such_condition: { pass: 'x' }, has_child_in_high_school_years: { pass: '{count}人' } } } };
    expect(() => programFromFiles(folder, { ...program.files, 'program.json': JSON.stringify(broken) })).toThrow(
      /notice\.resident_ja\.no_such_condition: no condition of that name[\s\S]*unknown placeholder \{count\}/,
    );
  });
});

describe('the address block', () => {
  it('prints the prefecture and the city before the register’s address (with its ward)', () => {
    expect(fullAddress('中区本町2丁目14-3', settings)).toBe('神奈川県横浜市中区本町2丁目14-3');
    expect(fullAddress('横浜市中区港町1-1', settings)).toBe('神奈川県横浜市中区港町1-1');
    expect(fullAddress('神奈川県横浜市西区1-1', settings)).toBe('神奈川県横浜市西区1-1');
  });
});

describe('an envelope', () => {
  it('makes one account request of several programs’, and lists what is enclosed on the first letter', () => {
    const second = { ...accountRequest, noticeId: 'N2', programName: '児童手当', amountYen: 20000, period: '令和6年10月分から令和6年11月分まで' };
    const letters = envelopeLetters([granted, accountRequest, second]);
    expect(letters).toHaveLength(2);
    expect(letters[0].enclosures).toEqual(['振込口座登録のお願い']);
    expect(letters[1].summary).toContain('「出産祝金」と「児童手当」');
    expect(letters[1].details).toContainEqual({ label: '児童手当', value: '20,000円（令和6年10月分から令和6年11月分まで）' });
  });
});
