// Incomes and resident-tax assessments (income.csv) for the synthetic municipality.
//
// Why this shape: the 非課税世帯 給付金 is decided from 均等割 exemption and from who is whose
// tax dependant, and 児童手当's recipient is the higher earner, so the data must contain
// believable earners, dependants and exemptions. Each adult gets an income profile (salary,
// taxable pension, business income) drawn by age, sex and household position: pensioners
// with low pensions, married women with part-time work under the 103万円 line, salaried
// workers with log-normal pay. Rows are written for three fiscal years (as-of year - 1, as-of
// year, as-of year + 1); fiscal year Y taxes calendar year Y-1, and a row exists only for
// people registered here on 1 January of Y (賦課期日): people born or moved in after it were
// assessed nowhere or by their previous municipality. About 20-25% of households end up fully
// 均等割-exempt, close to the national share.
//
// The optional columns of the tax record (CONTRACT.md) are filled consistently with
// total_income: salary_income and pension_income are the 給与所得 and 公的年金等に係る雑所得
// within it (resident-tax.ts has the 令和2年分以降 tables), dependants counts the 同一生計配偶者
// and 扶養親族 the main earner claims wherever they live (in the household, elsewhere in Japan,
// abroad), elderly_dependants those aged 70 or more on 31 December, and income_tax estimates
// the 所得税 on the same income. Who else is in the data:
// - 公務員 (public_servant): about 5% of the employed (約330万 of 6,724万 就業者 in 2019: 人事院
//   「公務員の数と種類」, 総務省「地方公務員数の状況」); drawn as 6.5% of salaried people aged 22-64
//   earning 2,000,000 or more, since nearly all 公務員 are full-time employees.
// - Dependants living elsewhere: elderly parents in their home town or a care home (4% of main
//   earners aged 40-69 with 3,000,000 or more; an assumption, no per-household statistic is
//   published) and students away from home (5% of main earners aged 42-62 earning 4,000,000 or
//   more without a child of 18-22 at home).
// - 国外居住親族: 30% of foreign main earners with a salary claim one to three (a spouse,
//   children under 30, or parents; since 2023 a relative aged 30-69 abroad counts only with
//   remittances of 380,000 or more, which these are assumed to receive). 会計検査院 found 1,296
//   such dependants among 1,576 sampled claimants in 平成24年度, i.e. they cluster in few earners.
// - treaty_exempt: Chinese students whose part-time pay would be taxed but is exempt under
//   the 日中租税協定 第21条 (85% of those with more than 1,000,000 yen file the 届出), and 15% of
//   young Chinese workers living alone (事業修習者: 技能実習1号; the flag is kept for all three
//   years although the exemption covers the first year of training only).
// - 3% of persons have a record from an older system that leaves the optional columns empty.
//
// For the 2023-2024 物価高騰 給付 rounds (DOMAIN.md), which compare fiscal 2023 with fiscal 2024
// and pay 均等割-only households and taxpayers with a small 所得税 (the as-of year's default,
// 2024-12-31, writes fiscal 2023, 2024 and 2025):
// - Year-to-year change: besides the ±8% drift of `factors`, 4% of workers (10% of those in
//   their sixties: retirement, 再雇用 on lower pay) lose most of their work income from one
//   income year to the next, and 4% find work, so that some households are exempt in one
//   fiscal year and not the other, both ways (about 15% of employees leave a job each year,
//   厚生労働省「雇用動向調査」; most find another soon, so the shares here are assumptions).
// - 均等割 only (所得割 0): incomes between the 均等割 and 所得割 limits of resident-tax.ts (a
//   narrow band for someone with dependants), and incomes just above both limits whose 所得割
//   the deductions bring to 0: 生命保険料控除 / 地震保険料控除 (65% of people with income under
//   70, 35% over) and 医療費控除 (15% a year of people 65 or over, 4% of the others). The
//   shares are assumptions; about 2-3% of households end up 均等割-only in each fiscal year.
// - High earners: 1.2% of men and 0.4% of women aged 35-64 earning 5,000,000 or more are drawn
//   again from a Pareto tail from 12,000,000, so about 0.1% of taxpayers have a salary over
//   20,000,000 (合計所得金額 over 18,050,000: no 定額減税 調整給付); the log-normal pay alone
//   gave almost none. The share is an assumption (rare on purpose), not fitted to a statistic.
// - income_tax is resident-tax.ts `incomeTax` (所得税法第89条 rates 5% to 45%, 国税庁 タックス
//   アンサー No.2260) on the same income less the 所得税 deductions, so low earners owe a few
//   thousand to tens of thousands of yen and the 調整給付 is not 0 for many of them.
// These draws come from a second seeded stream (`events`), so that they do not move the main
// stream's draws for the profiles (what depends on the incomes, such as who is exempt, does change).

import { ageOn, DAYS_PER_YEAR, dayNumber } from './dates.ts';
import type { ElsewhereDependant, GenerationContext, Household, IncomeProfile, Member } from './household-sampler.ts';
import { WeightedTable, type Rng } from './random.ts';
import {
  assessResidentTax,
  basicDeduction,
  childCareAdjustment,
  DEPENDANT_INCOME_LIMIT,
  dependantDeduction,
  incomeTax,
  pensionIncome,
  salaryIncome,
  salaryPensionAdjustment,
  spouseDeduction,
} from './resident-tax.ts';

export const INCOME_COLUMNS = [
  'change_id',
  'municipality_code',
  'person_id',
  'effective_date',
  'fiscal_year',
  'total_income',
  'kintowari',
  'shotokuwari',
  'dependent_of',
  'supporter_taxed',
  'salary_income',
  'pension_income',
  'dependants',
  'elderly_dependants',
  'dependants_abroad',
  'treaty_exempt',
  'income_tax',
] as const;

type Optional = number | '';
export type IncomeRow = [
  string, string, string, string, number, number, number, number, string, string,
  Optional, Optional, Optional, Optional, Optional, 'true' | 'false' | '', Optional,
];

/** 公務員 among salaried people aged 22-64 earning 2,000,000 or more (see the header). */
const PUBLIC_SERVANT_SHARE = 0.065;
/** Persons whose tax record comes from an older system without the optional columns. */
const PARTIAL_RECORD_SHARE = 0.03;
const ABROAD_COUNTS = new WeightedTable<number>([[1, 0.6], [2, 0.3], [3, 0.1]]);
/** Salaries from which a few are drawn again from the high tail, and the shares (see the header). */
const HIGH_SALARY_FROM = 5_000_000;
const HIGH_SALARY_SHARE_MEN = 0.012;
const HIGH_SALARY_SHARE_WOMEN = 0.004;
/** Workers whose work income falls (job lost, illness, retirement) or rises (job found) between two years. */
const JOB_DROP_SHARE = 0.04;
const JOB_DROP_SHARE_60S = 0.1;
const JOB_FOUND_SHARE = 0.04;
/** Persons with income claiming 生命保険料控除 (and some 地震保険料控除), under and over 70. */
const INSURANCE_SHARE = 0.65;
const INSURANCE_SHARE_70S = 0.35;
/** Persons with income claiming 医療費控除 in a year, under and over 65. */
const MEDICAL_SHARE = 0.04;
const MEDICAL_SHARE_65 = 0.15;

/** The fiscal years written for every household. */
export function fiscalYears(ctx: GenerationContext): [number, number, number] {
  return [ctx.asOfYear - 1, ctx.asOfYear, ctx.asOfYear + 1];
}

const round1000 = (yen: number): number => Math.round(yen / 1000) * 1000;

function hasSpouseInHousehold(m: Member, h: Household): boolean {
  switch (m.role) {
    case 'head':
      return h.members.some((o) => o.role === 'spouse');
    case 'spouse':
    case 'childSpouse':
      return true;
    case 'child':
      return h.members.some((o) => o.role === 'childSpouse');
    default:
      return false;
  }
}

/** Gross amounts for one person (0 for children and students without a job). */
function sampleProfile(rng: Rng, m: Member, h: Household): IncomeProfile {
  let salary = 0;
  let pension = 0;
  let business = 0;
  const age = m.age;
  const married = hasSpouseInHousehold(m, h);
  if (h.outsideSupporter) {
    // Must stay a dependant (合計所得 ≤ 480,000) in every year: small part-time pay or a
    // basic pension only.
    if (m.student) salary = rng.chance(0.4) ? 0 : rng.range(200_000, 900_000);
    else pension = rng.range(400_000, 800_000);
  } else if (age < 18) {
    // no income
  } else if (m.student && m.country !== '') {
    // 留学生: up to 28 hours a week (資格外活動許可) at about 1,100 yen an hour.
    salary = rng.chance(0.1) ? 0 : rng.range(800_000, 1_900_000);
  } else if (m.student) {
    salary = rng.chance(0.35) ? 0 : rng.range(200_000, 900_000);
  } else if (age < 65) {
    const r = rng.float();
    if (m.disabled && r < 0.5) {
      // Disability pensions are not taxable; some part-time work.
      salary = rng.chance(0.5) ? 0 : rng.range(300_000, 1_400_000);
    } else if (m.sex === 2 && married) {
      if (r < 0.3) salary = 0;
      else if (r < 0.65) salary = rng.chance(0.5) ? rng.range(900_000, 1_030_000) : rng.range(300_000, 1_500_000);
      else salary = rng.logNormal(3_400_000, 0.35);
    } else if (h.kind === 'singleParent' && m.role === 'head') {
      if (r < 0.06) salary = 0;
      else if (r < 0.36) salary = rng.range(800_000, 2_000_000);
      else salary = rng.logNormal(2_800_000, 0.35);
    } else if (m.sex === 1) {
      if (r < 0.04) salary = 0;
      else if (r < 0.1) salary = rng.range(600_000, 2_000_000);
      else if (r < 0.18) business = rng.logNormal(3_000_000, 0.6);
      else salary = rng.logNormal(maleMedianSalary(age), 0.4);
    } else {
      if (r < 0.05) salary = 0;
      else if (r < 0.15) salary = rng.range(600_000, 1_800_000);
      else if (r < 0.19) business = rng.logNormal(2_400_000, 0.6);
      else salary = rng.logNormal(femaleMedianSalary(age), 0.35);
    }
  } else {
    pension = samplePension(rng, m, married);
    const work = age < 70 ? (m.sex === 1 ? 0.45 : 0.3) : age < 75 ? (m.sex === 1 ? 0.3 : 0.18) : m.sex === 1 ? 0.08 : 0.05;
    if (rng.chance(work)) salary = rng.logNormal(1_500_000, 0.5);
    if (rng.chance(0.06)) business = rng.logNormal(1_200_000, 0.8);
  }
  const factors: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const noise = Math.min(1.08, Math.max(0.92, Math.exp(0.04 * rng.normal())));
    factors[k] = noise * 1.02 ** (k - 1);
  }
  return {
    salary: round1000(salary),
    pension: round1000(pension),
    business: round1000(business),
    factors,
    work: [1, 1, 1],
    otherDeductions: { incomeTax: [0, 0, 0], residentTax: [0, 0, 0] },
  };
}

function maleMedianSalary(age: number): number {
  if (age < 25) return 2_600_000;
  if (age < 30) return 3_600_000;
  if (age < 40) return 4_600_000;
  if (age < 50) return 5_400_000;
  if (age < 60) return 5_800_000;
  return 3_800_000;
}

function femaleMedianSalary(age: number): number {
  if (age < 25) return 2_500_000;
  if (age < 30) return 3_200_000;
  if (age < 40) return 3_500_000;
  if (age < 60) return 3_600_000;
  return 2_600_000;
}

/**
 * Taxable public pension at 65+: 国民年金 only (~0.5-0.8M yen) or 厚生年金 on top. Widows
 * also receive a 遺族年金, which is not taxable and therefore not counted here.
 */
function samplePension(rng: Rng, m: Member, married: boolean): number {
  const basicOnly = m.sex === 1 ? 0.16 : m.widowed ? 0.38 : married ? 0.6 : 0.35;
  if (rng.chance(basicOnly)) return rng.range(500_000, 800_000);
  if (m.sex === 1) return Math.min(3_800_000, Math.max(1_000_000, 2_200_000 + 600_000 * rng.normal()));
  const mean = married ? 1_100_000 : m.widowed ? 1_250_000 : 1_450_000;
  return Math.min(2_400_000, Math.max(800_000, mean + 320_000 * rng.normal()));
}

/** Expected 合計所得金額 for the as-of fiscal year, used to pick the main earner. */
function expectedIncome(m: Member): number {
  return salaryIncome(m.income.salary) + pensionIncome(m.income.pension, m.age >= 65) + m.income.business;
}

/**
 * Draws every member's income profile and picks the main earner: the head, the head's
 * spouse, or (in three-generation and elderly-parent households) an adult child, whoever
 * earns most. The main earner claims the low-income relatives as tax dependants and is the
 * 児童手当 recipient the engine should find.
 */
export function sampleIncomes(rng: Rng, h: Household, ctx: GenerationContext, events: Rng): void {
  for (const m of h.members) {
    m.income = sampleProfile(rng, m, h);
    const salaried = m.income.salary >= 2_000_000 && m.income.business === 0 && m.age >= 22 && m.age <= 64;
    m.publicServant = salaried && m.country === '' && rng.chance(PUBLIC_SERVANT_SHARE);
    m.treatyExempt = m.country === 'CN' && m.income.salary > 1_000_000 && treatyCase(rng, m, h);
    // A treaty case always comes with the full record (the flag is what makes it one).
    m.partialTaxRecord = rng.chance(PARTIAL_RECORD_SHARE) && !m.treatyExempt;
    sampleYearEvents(events, m, h);
  }
  const adultChildCanEarn = h.kind === 'threeGenerations' || h.kind === 'elderParentWithAdultChild';
  let best = -1;
  let bestIncome = -1;
  h.members.forEach((m, i) => {
    const candidate =
      m.role === 'head' ||
      m.role === 'spouse' ||
      (adultChildCanEarn && (m.role === 'child' || m.role === 'childSpouse') && m.age >= 25);
    if (!candidate || m.treatyExempt) return;
    const income = expectedIncome(m);
    if (income > bestIncome) {
      best = i;
      bestIncome = income;
    }
  });
  h.mainEarner = h.outsideSupporter ? -1 : best;
  h.elsewhereDependants = h.mainEarner >= 0 ? sampleElsewhereDependants(rng, h, h.members[h.mainEarner]!, bestIncome, ctx) : [];
}

/**
 * Whether a Chinese resident earning more than the exemption line is untaxed under the
 * 日中租税協定 第21条: most students who file the 届出, and some young workers living alone who
 * are 事業修習者 (技能実習1号).
 */
function treatyCase(rng: Rng, m: Member, h: Household): boolean {
  if (m.student) return rng.chance(0.85);
  return h.members.length === 1 && m.age >= 20 && m.age <= 35 && rng.chance(0.15);
}

/**
 * What makes one person's tax records differ from year to year beyond the small drift of
 * `factors`, and the 所得控除 that turn a low 所得割 into none (see the header): a very high
 * salary for a few, a job lost or found between two income years, and 生命保険料 / 地震保険料 /
 * 医療費 deductions. Drawn from `events`, a stream of its own (see the header).
 */
function sampleYearEvents(events: Rng, m: Member, h: Household): void {
  const p = m.income;
  const working = (p.salary > 0 || p.business > 0) && m.age >= 20 && !m.student && !h.outsideSupporter && !m.treatyExempt;
  // Pay over 20,000,000 (合計所得金額 over 18,050,000, outside the 定額減税 and its 調整給付).
  if (working && !m.publicServant && p.salary >= HIGH_SALARY_FROM && m.age >= 35 && m.age <= 64) {
    if (events.chance(m.sex === 1 ? HIGH_SALARY_SHARE_MEN : HIGH_SALARY_SHARE_WOMEN)) {
      // Pareto tail from 12,000,000 (α 1.6): about 45% of these earn more than 20,000,000.
      p.salary = round1000(Math.min(80_000_000, 12_000_000 * (1 - events.float()) ** (-1 / 1.6)));
    }
  }
  // A job lost, retirement, or a job found between two income years: the work income of the
  // years on one side of the change falls to 0-50%.
  if (working && !m.publicServant && m.age <= 69) {
    const dropShare = m.age >= 60 ? JOB_DROP_SHARE_60S : JOB_DROP_SHARE;
    const u = events.float();
    if (u < dropShare + JOB_FOUND_SHARE) {
      const change = events.chance(0.5) ? 1 : 2; // the first fiscal year on the new footing
      const level = events.range(0, 0.5);
      for (let k = 0; k < 3; k++) {
        if (u < dropShare ? k >= change : k < change) p.work[k] = level;
      }
    }
  }
  const hasIncome = p.salary > 0 || p.pension > 0 || p.business > 0;
  if (!hasIncome || m.age < 20 || h.outsideSupporter) return;
  // 生命保険料控除 (所得税法第76条: up to 40,000 for each of three kinds, 120,000 in all;
  // for 住民税, 地方税法第314条の2, up to 28,000 each, 70,000 in all) and 地震保険料控除 (所得税法
  // 第77条: up to 50,000; 住民税 25,000), kept for all three years.
  let insuranceIt = 0;
  let insuranceRt = 0;
  if (events.chance(m.age < 70 ? INSURANCE_SHARE : INSURANCE_SHARE_70S)) {
    const kinds = events.int(1, 3);
    insuranceIt = kinds * round1000(events.range(20_000, 40_000));
    insuranceRt = Math.min(70_000, kinds * round1000(events.range(14_000, 28_000)));
    if (events.chance(0.3)) {
      insuranceIt += round1000(events.range(5_000, 50_000));
      insuranceRt += round1000(events.range(2_500, 25_000));
    }
  }
  for (let k = 0; k < 3; k++) {
    // 医療費控除 (所得税法第73条: expenses above 100,000, or above 5% of a smaller income;
    // the same amount for 住民税; at most 2,000,000), a year at a time, mostly for the elderly.
    const medical = events.chance(m.age >= 65 ? MEDICAL_SHARE_65 : MEDICAL_SHARE)
      ? Math.min(2_000_000, round1000(events.logNormal(80_000, 0.9)))
      : 0;
    p.otherDeductions.incomeTax[k] = insuranceIt + medical;
    p.otherDeductions.residentTax[k] = insuranceRt + medical;
  }
}

/** Dependants the main earner claims who do not live in the household (see the header). */
function sampleElsewhereDependants(
  rng: Rng,
  h: Household,
  earner: Member,
  income: number,
  ctx: GenerationContext,
): ElsewhereDependant[] {
  const out: ElsewhereDependant[] = [];
  const born = (age: number) => ctx.asOfDay - Math.floor((age + rng.float()) * DAYS_PER_YEAR);
  const has = (pred: (m: Member) => boolean) => h.members.some(pred);
  if (earner.country !== '') {
    if (earner.income.salary < 1_500_000 || !rng.chance(0.3)) return out;
    const count = rng.weighted(ABROAD_COUNTS);
    let spouseAbroad = has((m) => isSpouseOf(earner, m));
    for (let k = 0; k < count; k++) {
      if (!spouseAbroad && earner.age >= 25 && rng.chance(0.4)) {
        spouseAbroad = true;
        out.push({ relation: 'spouse', birthDay: born(Math.max(20, earner.age - rng.int(-2, 5))), abroad: true });
      } else if (earner.age >= 38 && rng.chance(0.5)) {
        out.push({ relation: 'parent', birthDay: born(Math.min(95, earner.age + 24 + rng.int(0, 12))), abroad: true });
      } else {
        const oldest = Math.min(29, earner.age - 20);
        if (oldest < 0) continue;
        out.push({ relation: 'child', birthDay: born(rng.int(0, oldest)), abroad: true });
      }
    }
    return out;
  }
  if (
    earner.age >= 40 &&
    earner.age <= 69 &&
    income >= 3_000_000 &&
    !has((m) => m.role === 'parent' || m.role === 'grandparent') &&
    rng.chance(0.04)
  ) {
    const parents = rng.chance(0.2) ? 2 : 1;
    for (let k = 0; k < parents; k++) {
      out.push({ relation: 'parent', birthDay: born(Math.min(98, earner.age + 25 + rng.int(0, 10))), abroad: false });
    }
  }
  if (
    earner.age >= 42 &&
    earner.age <= 62 &&
    income >= 4_000_000 &&
    !has((m) => m.role === 'child' && m.age >= 18 && m.age <= 22) &&
    rng.chance(0.05)
  ) {
    out.push({ relation: 'child', birthDay: born(rng.int(18, 22)), abroad: false });
  }
  return out;
}

/** Whether `other` is the spouse of `earner` (by household position). */
function isSpouseOf(earner: Member, other: Member): boolean {
  if (earner.role === 'head') return other.role === 'spouse';
  if (earner.role === 'spouse') return other.role === 'head';
  if (earner.role === 'child') return other.role === 'childSpouse';
  if (earner.role === 'childSpouse') return other.role === 'child';
  return false;
}

/** Whether `other` is a child of `earner` (for ひとり親). */
function isChildOf(earner: Member, other: Member): boolean {
  if (earner.role === 'head' || earner.role === 'spouse') return other.role === 'child';
  if (earner.role === 'child' || earner.role === 'childSpouse') return other.role === 'grandchild';
  return false;
}

/** Whether `other` is a lineal ascendant of `earner` or of the earner's spouse (同居老親等). */
function isAscendantOf(earner: Member, other: Member): boolean {
  if (earner.role === 'head' || earner.role === 'spouse') return other.role === 'parent' || other.role === 'grandparent';
  if (earner.role === 'child' || earner.role === 'childSpouse') return other.role === 'head' || other.role === 'spouse';
  return false;
}

/** 配偶者特別控除 for a spouse earning over 480,000 (所得税 / 住民税), approximated: full to 950,000, then tapering. */
function spouseSpecialDeduction(claimantIncome: number, spouseIncome: number): { incomeTax: number; residentTax: number } {
  if (claimantIncome > 9_000_000 || spouseIncome <= DEPENDANT_INCOME_LIMIT || spouseIncome > 1_330_000) return NONE;
  if (spouseIncome <= 950_000) return { incomeTax: 380_000, residentTax: 330_000 };
  const share = (1_330_000 - spouseIncome) / (1_330_000 - 950_000);
  return { incomeTax: Math.max(30_000, round1000(380_000 * share)), residentTax: Math.max(30_000, round1000(330_000 * share)) };
}

const NONE = { incomeTax: 0, residentTax: 0 } as const;

// Scratch arrays reused across households. Safe even if two generations interleave at their
// `await`s, because emitIncomeRows runs synchronously from start to end.
let present: boolean[] = [];
let totals: number[] = [];
let salaries: number[] = [];
let salaryIncomes: number[] = [];
let pensionIncomes: number[] = [];
let social: number[] = [];
let ages: number[] = [];
let supporter: number[] = [];

/** The household's income rows for the three fiscal years, passed to `emit` one by one. */
export function emitIncomeRows(
  h: Household,
  ctx: GenerationContext,
  municipalityCode: string,
  emit: (row: IncomeRow) => void,
): void {
  const members = h.members;
  const count = members.length;
  if (present.length < count) {
    present = new Array<boolean>(count);
    totals = new Array<number>(count);
    salaries = new Array<number>(count);
    salaryIncomes = new Array<number>(count);
    pensionIncomes = new Array<number>(count);
    social = new Array<number>(count);
    ages = new Array<number>(count);
    supporter = new Array<number>(count);
  }
  const years = fiscalYears(ctx);
  h.exemptOnLowIncomeBase = false;
  for (let k = 0; k < 3; k++) {
    const fy = years[k]!;
    const jan1 = dayNumber(fy, 1, 1);
    const yearEnd = jan1 - 1; // 31 December of the income year
    for (let i = 0; i < count; i++) {
      const m = members[i]!;
      present[i] = m.birthDay <= jan1 && m.effectiveDay <= jan1 && !(m.departure && m.departure.day <= jan1);
      if (!present[i]) continue;
      const age = ageOn(m.birthDay, yearEnd);
      ages[i] = age;
      const f = m.income.factors[k]!;
      const w = m.income.work[k]!;
      const sal = age >= 15 ? round1000(m.income.salary * f * w) : 0;
      const pen = age >= 15 ? round1000(m.income.pension * f) : 0;
      const bus = age >= 15 ? round1000(m.income.business * f * w) : 0;
      const salInc = salaryIncome(sal);
      const penInc = pensionIncome(pen, age >= 65, salInc + bus);
      salaries[i] = sal;
      salaryIncomes[i] = salInc - salaryPensionAdjustment(salInc, penInc);
      pensionIncomes[i] = penInc;
      totals[i] = salaryIncomes[i]! + penInc + bus;
      social[i] = Math.floor(sal * 0.15 + pen * 0.06 + bus * 0.12);
      supporter[i] = -1;
    }

    // Who claims whom: the main earner claims every related member with a small income, and
    // the household's dependants living elsewhere.
    const e = h.mainEarner;
    let dependants = 0;
    let elderly = 0;
    let abroad = 0;
    let youngDependant = false;
    let earnerHasSpouse = false;
    let earnerHasChild = false;
    if (e >= 0 && present[e]) {
      const earner = members[e]!;
      for (let i = 0; i < count; i++) {
        if (i === e || !present[i]) continue;
        const m = members[i]!;
        const spouse = isSpouseOf(earner, m);
        if (spouse) earnerHasSpouse = true;
        if (m.role === 'lodger' || totals[i]! > DEPENDANT_INCOME_LIMIT) continue;
        supporter[i] = e;
        dependants++;
        if (ages[i]! >= 70) elderly++;
        if (ages[i]! < 23) youngDependant = true;
        if (isChildOf(earner, m)) earnerHasChild = true;
      }
      for (const d of h.elsewhereDependants) {
        if (d.birthDay > yearEnd) continue;
        const age = ageOn(d.birthDay, yearEnd);
        dependants++;
        if (age >= 70) elderly++;
        if (age < 23) youngDependant = true;
        if (d.abroad) abroad++;
        if (d.relation === 'spouse') earnerHasSpouse = true;
      }
      // 所得金額調整控除 for a high salary with a dependant under 23 (after the claims, which
      // look only at the other members' incomes).
      const adjustment = youngDependant ? Math.min(salaryIncomes[e]!, childCareAdjustment(salaries[e]!)) : 0;
      salaryIncomes[e] = salaryIncomes[e]! - adjustment;
      totals[e] = totals[e]! - adjustment;
    }
    const singleParent = !earnerHasSpouse && earnerHasChild;
    // For the 令和6年度 非課税世帯 給付金: nobody missing from the fiscal-2024 assessment but
    // newborns, and (below) nobody charged 均等割 or untaxed only by a treaty.
    let allExempt =
      fy === 2024 &&
      !h.outsideSupporter &&
      members.every((m, i) => present[i] || m.birthDay > jan1 || (m.departure !== null && m.departure.day <= jan1));

    for (let i = 0; i < count; i++) {
      if (!present[i]) continue;
      const m = members[i]!;
      const isEarner = i === e;
      const total = totals[i]!;
      const minor = ageOn(m.birthDay, jan1) < 18;
      const special = minor || m.disabled || m.widowed || (isEarner && singleParent);
      const basic = basicDeduction(total);
      let residentDeductions = basic.residentTax + social[i]! + m.income.otherDeductions.residentTax[k]!;
      let incomeTaxDeductions = basic.incomeTax + social[i]! + m.income.otherDeductions.incomeTax[k]!;
      if (m.disabled) {
        residentDeductions += 260_000;
        incomeTaxDeductions += 270_000;
      }
      if (total <= 5_000_000 && m.widowed && !(isEarner && singleParent)) {
        residentDeductions += 260_000;
        incomeTaxDeductions += 270_000;
      }
      if (total <= 5_000_000 && isEarner && singleParent) {
        residentDeductions += 300_000;
        incomeTaxDeductions += 350_000;
      }
      if (isEarner) {
        const earner = m;
        for (let j = 0; j < count; j++) {
          if (j === i || !present[j]) continue;
          const o = members[j]!;
          const spouse = isSpouseOf(earner, o);
          let d: { incomeTax: number; residentTax: number };
          if (supporter[j] === i) {
            d = spouse ? spouseDeduction(total, ages[j]! >= 70) : dependantDeduction(ages[j]!, isAscendantOf(earner, o));
          } else if (spouse) {
            d = spouseSpecialDeduction(total, totals[j]!);
          } else {
            continue;
          }
          residentDeductions += d.residentTax;
          incomeTaxDeductions += d.incomeTax;
        }
        for (const dep of h.elsewhereDependants) {
          if (dep.birthDay > yearEnd) continue;
          const age = ageOn(dep.birthDay, yearEnd);
          const d = dep.relation === 'spouse' ? spouseDeduction(total, age >= 70) : dependantDeduction(age, false);
          residentDeductions += d.residentTax;
          incomeTaxDeductions += d.incomeTax;
        }
      }
      const claims = isEarner ? dependants : 0;
      const tax = m.treatyExempt
        ? { kintowari: 0, shotokuwari: 0 }
        : assessResidentTax({ totalIncome: total, dependants: claims, special, deductions: residentDeductions });
      const itax = m.treatyExempt ? 0 : incomeTax(total - incomeTaxDeductions);
      if (tax.kintowari > 0 || m.treatyExempt) allExempt = false;
      let dependentOf = '';
      let supporterTaxed = '';
      if (h.outsideSupporter) {
        dependentOf = h.outsideSupporter.personId;
        supporterTaxed = h.outsideSupporter.taxed ? 'true' : 'false';
      } else if (supporter[i]! >= 0) {
        dependentOf = members[supporter[i]!]!.personId;
      }
      const known = !m.partialTaxRecord;
      emit([
        `I-${municipalityCode}-${m.personId}-${fy}`,
        municipalityCode,
        m.personId,
        `${fy}-06-01`,
        fy,
        total,
        tax.kintowari,
        tax.shotokuwari,
        dependentOf,
        supporterTaxed,
        known ? salaryIncomes[i]! : '',
        known ? pensionIncomes[i]! : '',
        known ? claims : '',
        known ? (isEarner ? elderly : 0) : '',
        known ? (isEarner ? abroad : 0) : '',
        known ? (m.treatyExempt ? 'true' : 'false') : '',
        known ? itax : '',
      ]);
    }
    if (allExempt) h.exemptOnLowIncomeBase = true;
  }
}
