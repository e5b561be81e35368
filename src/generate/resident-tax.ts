// Individual resident tax (個人住民税) as far as the synthetic data needs it: turning gross
// salary and pension into 合計所得金額, deciding whether 均等割 and 所得割 are charged, and
// approximating 所得割.
//
// Why here: the benefit engine never computes tax (it reads the assessment), but the data it
// reads must be internally consistent: a person marked exempt must have an income under the
// legal threshold, so that 非課税世帯 decisions in tests and demos are believable.
// Thresholds: DOMAIN.md "Resident tax exemption thresholds" (1級地 figures):
//   均等割 not charged when 合計所得金額 ≤ 350,000 × N + 100,000 (+210,000 with a spouse or
//   dependants), N = self + spouse + dependants; single person 450,000;
//   所得割 not charged when 総所得金額等 ≤ 350,000 × N + 100,000 (+320,000 with dependants);
//   disabled persons, minors, widows and single parents: not charged up to 1,350,000.

/** 均等割 charged when not exempt: 3,000 municipal + 1,000 prefectural + 1,000 森林環境税. */
export const KINTOWARI_YEN = 5_000;
/** Spouse or dependant counts as 扶養 only with 合計所得金額 at or below this. */
export const DEPENDANT_INCOME_LIMIT = 480_000;
/** Disabled, minors, widows, single parents: exempt at or below this. */
export const SPECIAL_EXEMPTION_LIMIT = 1_350_000;

/** 給与所得 from 給与収入 (給与所得控除, 2020 onwards; the official table's rounding is ignored). */
export function salaryIncome(revenue: number): number {
  if (revenue < 551_000) return 0;
  let deduction: number;
  if (revenue <= 1_625_000) deduction = 550_000;
  else if (revenue <= 1_800_000) deduction = revenue * 0.4 - 100_000;
  else if (revenue <= 3_600_000) deduction = revenue * 0.3 + 80_000;
  else if (revenue <= 6_600_000) deduction = revenue * 0.2 + 440_000;
  else if (revenue <= 8_500_000) deduction = revenue * 0.1 + 1_100_000;
  else deduction = 1_950_000;
  return Math.floor(revenue - deduction);
}

/** 雑所得 (公的年金等) from taxable pension revenue (公的年金等控除, other income ≤ 10M yen). */
export function pensionIncome(revenue: number, aged65: boolean): number {
  let income: number;
  if (aged65 && revenue <= 3_300_000) income = revenue - 1_100_000;
  else if (!aged65 && revenue <= 1_300_000) income = revenue - 600_000;
  else if (revenue <= 4_100_000) income = revenue * 0.75 - 275_000;
  else if (revenue <= 7_700_000) income = revenue * 0.85 - 685_000;
  else if (revenue <= 10_000_000) income = revenue * 0.95 - 1_455_000;
  else income = revenue - 1_955_000;
  return Math.max(0, Math.floor(income));
}

export interface TaxInput {
  /** 合計所得金額. */
  totalIncome: number;
  /** Spouse and dependants this person claims (the N of the formula is this + 1). */
  dependants: number;
  /** Disabled, minor, widow or single parent. */
  special: boolean;
  /** 所得控除 in total (basic, social insurance, spouse, dependants, ...). */
  deductions: number;
}

export interface Assessment {
  kintowari: number;
  shotokuwari: number;
}

const EXEMPT: Assessment = { kintowari: 0, shotokuwari: 0 };

/** Whether 均等割 is charged, and the 均等割 / 所得割 amounts. */
export function assessResidentTax(t: TaxInput): Assessment {
  const n = 1 + t.dependants;
  if (t.special && t.totalIncome <= SPECIAL_EXEMPTION_LIMIT) return EXEMPT;
  const kintoLimit = n === 1 ? 450_000 : 350_000 * n + 100_000 + 210_000;
  if (t.totalIncome <= kintoLimit) return EXEMPT;
  const shotokuLimit = n === 1 ? 450_000 : 350_000 * n + 100_000 + 320_000;
  if (t.totalIncome <= shotokuLimit) return { kintowari: KINTOWARI_YEN, shotokuwari: 0 };
  // 課税所得 rounded down to 1,000 yen; 10% (6% municipal + 4% prefectural) less the minimum
  // 調整控除 of 2,500 yen; rounded down to 100 yen.
  const taxable = Math.floor(Math.max(0, t.totalIncome - t.deductions) / 1000) * 1000;
  const shotokuwari = Math.max(0, Math.floor((taxable * 0.1 - 2_500) / 100) * 100);
  return { kintowari: KINTOWARI_YEN, shotokuwari };
}
