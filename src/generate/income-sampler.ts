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

import { ageOn, dayNumber } from './dates.ts';
import type { GenerationContext, Household, IncomeProfile, Member } from './household-sampler.ts';
import type { Rng } from './random.ts';
import {
  assessResidentTax,
  DEPENDANT_INCOME_LIMIT,
  pensionIncome,
  salaryIncome,
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
] as const;

export type IncomeRow = [string, string, string, string, number, number, number, number, string, string];

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
  return { salary: round1000(salary), pension: round1000(pension), business: round1000(business), factors };
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
export function sampleIncomes(rng: Rng, h: Household): void {
  for (const m of h.members) m.income = sampleProfile(rng, m, h);
  const adultChildCanEarn = h.kind === 'threeGenerations' || h.kind === 'elderParentWithAdultChild';
  let best = -1;
  let bestIncome = -1;
  h.members.forEach((m, i) => {
    const candidate = m.role === 'head' || m.role === 'spouse' || (adultChildCanEarn && m.role === 'child' && m.age >= 25);
    if (!candidate) return;
    const income = expectedIncome(m);
    if (income > bestIncome) {
      best = i;
      bestIncome = income;
    }
  });
  h.mainEarner = h.outsideSupporter ? -1 : best;
}

/** 扶養控除 / 配偶者控除 amounts for 所得割 (approximate, by age at the end of the income year). */
function dependantDeduction(m: Member, ageAtYearEnd: number, isSpouse: boolean): number {
  if (isSpouse) return ageAtYearEnd >= 70 ? 380_000 : 330_000;
  if (ageAtYearEnd < 16) return 0;
  if (ageAtYearEnd >= 19 && ageAtYearEnd <= 22) return 450_000;
  if (ageAtYearEnd >= 70) return m.role === 'parent' || m.role === 'grandparent' ? 450_000 : 380_000;
  return 330_000;
}

/** Whether `other` is the spouse of `earner` (by household position). */
function isSpouseOf(earner: Member, other: Member): boolean {
  if (earner.role === 'head') return other.role === 'spouse';
  if (earner.role === 'spouse') return other.role === 'head';
  if (earner.role === 'child') return other.role === 'childSpouse';
  return false;
}

/** Whether `other` is a child of `earner` (for ひとり親). */
function isChildOf(earner: Member, other: Member): boolean {
  if (earner.role === 'head' || earner.role === 'spouse') return other.role === 'child';
  if (earner.role === 'child') return other.role === 'grandchild';
  return false;
}

// Scratch arrays reused across households. Safe even if two generations interleave at their
// `await`s, because emitIncomeRows runs synchronously from start to end.
let present: boolean[] = [];
let totals: number[] = [];
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
    social = new Array<number>(count);
    ages = new Array<number>(count);
    supporter = new Array<number>(count);
  }
  const years = fiscalYears(ctx);
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
      const sal = age >= 15 ? round1000(m.income.salary * f) : 0;
      const pen = age >= 15 ? round1000(m.income.pension * f) : 0;
      const bus = age >= 15 ? round1000(m.income.business * f) : 0;
      totals[i] = salaryIncome(sal) + pensionIncome(pen, age >= 65) + bus;
      social[i] = Math.floor(sal * 0.15 + pen * 0.06 + bus * 0.12);
      supporter[i] = -1;
    }

    // Who claims whom: the main earner claims every related member with a small income.
    const e = h.mainEarner;
    let dependants = 0;
    let dependantDeductions = 0;
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
        dependantDeductions += dependantDeduction(m, ages[i]!, spouse);
        if (isChildOf(earner, m)) earnerHasChild = true;
      }
    }
    const singleParent = !earnerHasSpouse && earnerHasChild;

    for (let i = 0; i < count; i++) {
      if (!present[i]) continue;
      const m = members[i]!;
      const isEarner = i === e;
      const minor = ageOn(m.birthDay, jan1) < 18;
      const special = minor || m.disabled || m.widowed || (isEarner && singleParent);
      let deductions = 430_000 + social[i]!;
      if (isEarner) deductions += dependantDeductions + (singleParent ? 350_000 : 0);
      if (m.widowed) deductions += 260_000;
      if (m.disabled) deductions += 260_000;
      const tax = assessResidentTax({
        totalIncome: totals[i]!,
        dependants: isEarner ? dependants : 0,
        special,
        deductions,
      });
      let dependentOf = '';
      let supporterTaxed = '';
      if (h.outsideSupporter) {
        dependentOf = h.outsideSupporter.personId;
        supporterTaxed = h.outsideSupporter.taxed ? 'true' : 'false';
      } else if (supporter[i]! >= 0) {
        dependentOf = members[supporter[i]!]!.personId;
      }
      emit([
        `I-${municipalityCode}-${m.personId}-${fy}`,
        municipalityCode,
        m.personId,
        `${fy}-06-01`,
        fy,
        totals[i]!,
        tax.kintowari,
        tax.shotokuwari,
        dependentOf,
        supporterTaxed,
      ]);
    }
  }
}
