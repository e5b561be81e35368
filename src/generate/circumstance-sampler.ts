// Rows of circumstances.csv: what neither the register nor the tax record says, recorded by
// staff or from a returned 確認書 (CONTRACT.md, circumstances.csv).
//
// Why these and in these shares:
// - public_servant: a parent of a child (up to the 18歳年度末) in the household who is a 公務員,
//   whose 児童手当 the employer pays (児童手当法第17条). Who is a 公務員 is drawn with the incomes
//   (income-sampler.ts: about 5% of the employed, 人事院「公務員の数と種類」).
// - facility_placement: about 42,000 children live in 社会的養護 (41,773 at the end of 令和3年度:
//   児童養護施設 ~23,000, 乳児院 ~2,400, 里親・ファミリーホーム ~8,000, others; こども家庭庁
//   「社会的養育の推進に向けて」), about 0.2% of the ~18 million children. Many of them have
//   their 住民票 moved to the facility; the ones that matter here are those still registered
//   in their parents' household, drawn as 0.2% of children (0.6% in single-parent and
//   grandparent households, where placements concentrate). About one in five placements has
//   ended again (措置解除, 家庭復帰) by the as-of date: a second row with active=false.
// - supported_student: a child past the 18歳年度末 and within the 22歳年度末 living with the
//   parents, confirmed by a returned 監護相当・生計費の負担についての確認書. Municipalities send the
//   確認書 only where counting the child raises the amount (three or more children counted,
//   at least one still paid; e.g. 安城市, 小野市, 長岡市 guidance on the 令和6年10月 改正), and
//   most such families return it: 92% for a student or a child without income of their own,
//   60% for one who earns (whose parents may no longer bear a 相当部分 of the living costs).
//   No return rate is published; these are this generator's assumptions. Effective from the reform
//   (2024-10-01) or from the day after the 18歳年度末, whichever is later.
// - declined (辞退届): rare. 0.5% of recipients of 児童手当 (program child-allowance), and 1%
//   of households that would receive the 令和6年度 非課税世帯 給付金 (low-income-household-2024),
//   whose push-type notice left some days to decline before paying. Neither share is
//   published; they are this generator's assumptions.
// Notes are short fixed Japanese phrases, never personal data.

import { civilDate, dayNumber, formatDay } from './dates.ts';
import type { GenerationContext, Household, Member } from './household-sampler.ts';
import type { Rng } from './random.ts';
import { DEPENDANT_INCOME_LIMIT, salaryIncome } from './resident-tax.ts';

export const CIRCUMSTANCE_COLUMNS = [
  'change_id',
  'municipality_code',
  'person_id',
  'effective_date',
  'circumstance',
  'active',
  'program',
  'note',
] as const;

export type CircumstanceRow = [string, string, string, string, string, 'true' | 'false', string, string];

const CHILD_ALLOWANCE = 'child-allowance';
const LOW_INCOME_2024 = 'low-income-household-2024';
/** 児童手当 as amended in 2024 (the 19-22-year-olds' count starts with it). */
const REFORM_2024 = dayNumber(2024, 10, 1);
/** Base date of the 令和6年度 非課税世帯 給付金. */
const LOW_INCOME_BASE = dayNumber(2024, 12, 13);
/** Earliest 辞退届 for it: the push-type notices went out in November and December 2024. */
const LOW_INCOME_NOTICES = dayNumber(2024, 11, 1);

const FACILITY_SHARE = 0.002;
const FACILITY_SHARE_FRAGILE = 0.006;
const FACILITY_ENDED_SHARE = 0.2;
const DECLINED_CHILD_ALLOWANCE = 0.005;
const DECLINED_LOW_INCOME = 0.01;

/**
 * The first 31 March on or after the day a person born on `birthDay` reaches `years` (a person
 * reaches an age the day before the birthday: 年齢計算ニ関スル法律).
 */
export function schoolYearEnd(birthDay: number, years: number): number {
  const [y, m, d] = civilDate(birthDay);
  const reached = dayNumber(y + years, m, d) - 1;
  const [ry, rm] = civilDate(reached);
  return dayNumber(rm <= 3 ? ry : ry + 1, 3, 31);
}

/** The household's children for 児童手当 and who cares for them (parents, else grandparents). */
function childrenAndCarers(h: Household): { children: Member[]; carers: Member[] } {
  const grandchildren = h.members.filter((m) => m.role === 'grandchild');
  if (grandchildren.length > 0) {
    const parents = h.members.filter((m) => m.role === 'child' || m.role === 'childSpouse');
    return {
      children: grandchildren,
      carers: parents.length > 0 ? parents : h.members.filter((m) => m.role === 'head' || m.role === 'spouse'),
    };
  }
  if (h.kind === 'elderParentWithAdultChild') return { children: [], carers: [] };
  return {
    children: h.members.filter((m) => m.role === 'child'),
    carers: h.members.filter((m) => m.role === 'head' || m.role === 'spouse'),
  };
}

const here = (m: Member) => m.departure === null;

/** The household's circumstance rows, passed to `emit` one by one (after incomes and departures). */
export function emitCircumstanceRows(
  rng: Rng,
  h: Household,
  ctx: GenerationContext,
  municipalityCode: string,
  emit: (row: CircumstanceRow) => void,
): void {
  const asOf = ctx.asOfDay;
  const row = (m: Member, tag: string, day: number, circumstance: string, active: boolean, program: string, note: string) =>
    emit([
      `C-${municipalityCode}-${m.personId}-${tag}`,
      municipalityCode,
      m.personId,
      formatDay(day),
      circumstance,
      active ? 'true' : 'false',
      program,
      note,
    ]);
  const between = (lo: number, hi: number) => (lo >= hi ? hi : rng.int(lo, hi));

  const { children, carers } = childrenAndCarers(h);
  const paid = children.filter((c) => here(c) && schoolYearEnd(c.birthDay, 18) >= asOf);
  const counted = children.filter((c) => here(c) && schoolYearEnd(c.birthDay, 22) >= asOf);

  if (paid.length > 0) {
    for (const p of carers) {
      if (!p.publicServant || !here(p)) continue;
      // In service since the April after graduating (22 or 23), or since moving in.
      const [by] = civilDate(p.birthDay);
      const hired = dayNumber(by + 22 + rng.int(0, 1), 4, 1);
      row(p, 'PS', Math.min(asOf, Math.max(p.effectiveDay, hired)), 'public_servant', true, '', '所属庁から児童手当を支給');
    }
    const fragile = h.kind === 'singleParent' || h.kind === 'grandparentWithGrandchildren';
    for (const c of paid) {
      if (!rng.chance(fragile ? FACILITY_SHARE_FRAGILE : FACILITY_SHARE)) continue;
      const start = between(Math.max(c.effectiveDay, asOf - 6 * 365), asOf);
      const foster = rng.chance(0.2);
      row(c, 'FP1', start, 'facility_placement', true, '', foster ? '里親委託措置' : '児童養護施設入所措置');
      if (start < asOf && rng.chance(FACILITY_ENDED_SHARE)) {
        row(c, 'FP2', between(start + 1, asOf), 'facility_placement', false, '', '措置解除(家庭復帰)');
      }
    }
  }

  // 確認書 for the 19-22-year-olds where counting them raises the 児童手当.
  if (paid.length > 0 && counted.length >= 3) {
    for (const c of counted) {
      const end18 = schoolYearEnd(c.birthDay, 18);
      if (end18 >= asOf) continue;
      const from = Math.max(REFORM_2024, end18 + 1, c.effectiveDay);
      if (from > asOf) continue;
      const earns = salaryIncome(c.income.salary) > DEPENDANT_INCOME_LIMIT;
      if (!rng.chance(c.student || !earns ? 0.92 : 0.6)) continue;
      row(c, 'SS', from, 'supported_student', true, CHILD_ALLOWANCE, '確認書返送');
    }
  }

  const earner = h.mainEarner >= 0 ? h.members[h.mainEarner]! : null;
  if (paid.length > 0 && earner && carers.includes(earner) && rng.chance(DECLINED_CHILD_ALLOWANCE)) {
    const day = between(Math.max(earner.effectiveDay, asOf - 2 * 365), asOf);
    row(earner, 'DCA', day, 'declined', true, CHILD_ALLOWANCE, '辞退届受理');
  }

  const head = h.members[0]!;
  const latest = Math.min(asOf, LOW_INCOME_BASE - 1);
  if (h.exemptOnLowIncomeBase && here(head) && latest >= LOW_INCOME_NOTICES && rng.chance(DECLINED_LOW_INCOME)) {
    row(head, 'DLI', between(Math.max(LOW_INCOME_NOTICES, head.effectiveDay), latest), 'declined', true, LOW_INCOME_2024, '辞退届受理');
  }
}
