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

/**
 * 給与所得の金額 from 給与等の収入金額 (所得税法第28条, 給与所得控除 as amended for 令和2年分
 * 以降): 550,000 up to 1,625,000; 40% − 100,000 to 1,800,000; 30% + 80,000 to 3,600,000;
 * 20% + 440,000 to 6,600,000; 10% + 1,100,000 to 8,500,000; 1,950,000 above. Below 6,600,000
 * the law takes the amount from 所得税法別表第五 instead, which works on the revenue rounded
 * down to 4,000 yen and has its own steps between 1,619,000 and 1,628,000; this function
 * gives that table's figures (国税庁 タックスアンサー No.1410 「給与所得控除」).
 */
export function salaryIncome(revenue: number): number {
  if (revenue < 551_000) return 0;
  if (revenue < 1_619_000) return revenue - 550_000;
  if (revenue < 1_620_000) return 1_069_000;
  if (revenue < 1_622_000) return 1_070_000;
  if (revenue < 1_624_000) return 1_072_000;
  if (revenue < 1_628_000) return 1_074_000;
  if (revenue < 6_600_000) {
    // A = 収入 ÷ 4 (千円未満切捨て); 給与所得 = A × 2.4 + 100,000 / A × 2.8 − 80,000 / A × 3.2 − 440,000.
    const a = Math.floor(revenue / 4_000);
    if (revenue < 1_800_000) return a * 2_400 + 100_000;
    if (revenue < 3_600_000) return a * 2_800 - 80_000;
    return a * 3_200 - 440_000;
  }
  if (revenue < 8_500_000) return Math.floor(revenue * 0.9) - 1_100_000;
  return revenue - 1_950_000;
}

/**
 * 公的年金等に係る雑所得 from public pension revenue (所得税法第35条第4項, 公的年金等控除 for
 * 令和2年分以降; 国税庁 タックスアンサー No.1600). Aged 65 or more at the year end: 1,100,000
 * deducted up to 3,300,000 of revenue; under 65: 600,000 up to 1,300,000; above, 75% − 275,000
 * to 4,100,000, 85% − 685,000 to 7,700,000, 95% − 1,455,000 to 10,000,000, − 1,955,000 above.
 * The deduction is 100,000 smaller when the other 合計所得金額 exceeds 10,000,000 and 200,000
 * smaller above 20,000,000.
 */
export function pensionIncome(revenue: number, aged65: boolean, otherIncome = 0): number {
  let income: number;
  if (aged65 && revenue <= 3_300_000) income = revenue - 1_100_000;
  else if (!aged65 && revenue <= 1_300_000) income = revenue - 600_000;
  else if (revenue <= 4_100_000) income = revenue * 0.75 - 275_000;
  else if (revenue <= 7_700_000) income = revenue * 0.85 - 685_000;
  else if (revenue <= 10_000_000) income = revenue * 0.95 - 1_455_000;
  else income = revenue - 1_955_000;
  if (otherIncome > 20_000_000) income += 200_000;
  else if (otherIncome > 10_000_000) income += 100_000;
  return Math.max(0, Math.min(revenue, Math.floor(income)));
}

/**
 * 所得金額調整控除 for someone with both 給与所得 and 公的年金等に係る雑所得 (租税特別措置法第41条の
 * 3の3第2項): min(給与所得, 100,000) + min(年金所得, 100,000) − 100,000, taken from 給与所得.
 */
export function salaryPensionAdjustment(salary: number, pension: number): number {
  return Math.max(0, Math.min(salary, 100_000) + Math.min(pension, 100_000) - 100_000);
}

/**
 * 所得金額調整控除 for salary over 8,500,000 with a dependant under 23 (or a 特別障害者 in the
 * family) (同条第1項): (min(給与収入, 10,000,000) − 8,500,000) × 10%, rounded up.
 */
export function childCareAdjustment(salaryRevenue: number): number {
  if (salaryRevenue <= 8_500_000) return 0;
  return Math.ceil((Math.min(salaryRevenue, 10_000_000) - 8_500_000) / 10);
}

/**
 * 所得税 on 課税総所得金額 (所得税法第89条, the quick-calculation table of 国税庁 タックスアンサー
 * No.2260): 課税所得 rounded down to 1,000 yen; 5% to 1,950,000, 10% − 97,500 to 3,300,000,
 * 20% − 427,500 to 6,950,000, 23% − 636,000 to 9,000,000, 33% − 1,536,000 to 18,000,000,
 * 40% − 2,796,000 to 40,000,000, 45% − 4,796,000 above. Without 復興特別所得税 and before any
 * 定額減税 or 税額控除 (the 推計所得税額 of the 2024 調整給付 is defined the same way).
 */
export function incomeTax(taxableIncome: number): number {
  const t = Math.floor(Math.max(0, taxableIncome) / 1_000) * 1_000;
  let tax: number;
  if (t <= 1_950_000) tax = t * 0.05;
  else if (t <= 3_300_000) tax = t * 0.1 - 97_500;
  else if (t <= 6_950_000) tax = t * 0.2 - 427_500;
  else if (t <= 9_000_000) tax = t * 0.23 - 636_000;
  else if (t <= 18_000_000) tax = t * 0.33 - 1_536_000;
  else if (t <= 40_000_000) tax = t * 0.4 - 2_796_000;
  else tax = t * 0.45 - 4_796_000;
  return Math.max(0, Math.floor(tax / 100) * 100);
}

/** 基礎控除 for 所得税 (所得税法第86条) and 住民税 (地方税法第314条の2第2項) by 合計所得金額. */
export function basicDeduction(totalIncome: number): { incomeTax: number; residentTax: number } {
  if (totalIncome <= 24_000_000) return { incomeTax: 480_000, residentTax: 430_000 };
  if (totalIncome <= 24_500_000) return { incomeTax: 320_000, residentTax: 290_000 };
  if (totalIncome <= 25_000_000) return { incomeTax: 160_000, residentTax: 150_000 };
  return { incomeTax: 0, residentTax: 0 };
}

/**
 * 配偶者控除 for a 同一生計配偶者 by the claimant's 合計所得金額 (所得税法第83条; 住民税 地方税法
 * 第314条の2第1項第10号): 380,000 / 330,000 (70 or more: 480,000 / 380,000) up to 9,000,000,
 * two thirds to 9,500,000, one third to 10,000,000, nothing above (then the spouse is still a
 * 同一生計配偶者 and counts in 扶養親族等の数, but gives no deduction).
 */
export function spouseDeduction(claimantIncome: number, aged70: boolean): { incomeTax: number; residentTax: number } {
  const [it, rt] = aged70 ? [480_000, 380_000] : [380_000, 330_000];
  if (claimantIncome <= 9_000_000) return { incomeTax: it, residentTax: rt };
  if (claimantIncome <= 9_500_000) return { incomeTax: aged70 ? 320_000 : 260_000, residentTax: aged70 ? 260_000 : 220_000 };
  if (claimantIncome <= 10_000_000) return { incomeTax: aged70 ? 160_000 : 130_000, residentTax: aged70 ? 130_000 : 110_000 };
  return { incomeTax: 0, residentTax: 0 };
}

/**
 * 扶養控除 by the dependant's age on 31 December (所得税法第84条, 租税特別措置法第41条の16;
 * 住民税 地方税法第314条の2第1項第11号): 年少 (under 16) nothing; 特定 (19-22) 630,000 /
 * 450,000; 老人 (70+) 480,000 / 380,000, 同居老親等 580,000 / 450,000; others 380,000 / 330,000.
 */
export function dependantDeduction(age: number, livingWithParent: boolean): { incomeTax: number; residentTax: number } {
  if (age < 16) return { incomeTax: 0, residentTax: 0 };
  if (age >= 19 && age <= 22) return { incomeTax: 630_000, residentTax: 450_000 };
  if (age >= 70) return livingWithParent ? { incomeTax: 580_000, residentTax: 450_000 } : { incomeTax: 480_000, residentTax: 380_000 };
  return { incomeTax: 380_000, residentTax: 330_000 };
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
