import { describe, it, expect } from 'vitest';
import {
  assessResidentTax,
  childCareAdjustment,
  incomeTax,
  pensionIncome,
  salaryIncome,
  salaryPensionAdjustment,
} from '../../src/generate/resident-tax.ts';
import { schoolYearEnd } from '../../src/generate/circumstance-sampler.ts';
import { dayNumber, formatDay } from '../../src/generate/dates.ts';

describe('salaryIncome: 給与所得控除 of 令和2年分以降 with 所得税法別表第五 below 6,600,000', () => {
  it.each([
    [0, 0],
    [550_999, 0],
    [551_000, 1_000],
    [1_000_000, 450_000],
    [1_618_999, 1_068_999],
    [1_619_000, 1_069_000],
    [1_620_000, 1_070_000],
    [1_622_000, 1_072_000],
    [1_624_000, 1_074_000],
    [1_627_999, 1_074_000],
    // 1,628,000 to 1,799,999: A = 収入 ÷ 4 (千円未満切捨て), A × 2.4 + 100,000
    [1_628_000, 1_076_800],
    [1_799_999, 1_177_600],
    // 1,800,000 to 3,599,999: A × 2.8 − 80,000
    [1_800_000, 1_180_000],
    [1_803_999, 1_180_000],
    [1_804_000, 1_182_800],
    [3_599_999, 2_437_200],
    // 3,600,000 to 6,599,999: A × 3.2 − 440,000
    [3_600_000, 2_440_000],
    [5_000_000, 3_560_000],
    [6_599_999, 4_836_800],
    // from 6,600,000 the formula: 90% − 1,100,000, then − 1,950,000 from 8,500,000
    [6_600_000, 4_840_000],
    [8_499_999, 6_549_999],
    [8_500_000, 6_550_000],
    [10_000_000, 8_050_000],
  ])('給与収入 %i → 給与所得 %i', (revenue, income) => {
    expect(salaryIncome(revenue)).toBe(income);
  });
});

describe('pensionIncome: 公的年金等控除 of 令和2年分以降', () => {
  it.each([
    [1_100_000, true, 0],
    [1_580_000, true, 480_000],
    [3_300_000, true, 2_200_000],
    [3_300_001, true, 2_200_000],
    [4_100_000, true, 2_800_000],
    [600_000, false, 0],
    [1_300_000, false, 700_000],
    [1_300_001, false, 700_000],
    [5_000_000, false, 3_565_000],
  ])('収入 %i (65歳以上 %s) → 雑所得 %i', (revenue, aged65, income) => {
    expect(pensionIncome(revenue, aged65)).toBe(income);
  });

  it('deducts 100,000 less when the other income exceeds 10,000,000, 200,000 less above 20,000,000', () => {
    expect(pensionIncome(2_000_000, true, 10_000_000)).toBe(900_000);
    expect(pensionIncome(2_000_000, true, 10_000_001)).toBe(1_000_000);
    expect(pensionIncome(2_000_000, true, 20_000_001)).toBe(1_100_000);
  });
});

describe('所得金額調整控除 and 所得税', () => {
  it('takes up to 100,000 from 給与所得 when there is also pension income', () => {
    expect(salaryPensionAdjustment(450_000, 480_000)).toBe(100_000);
    expect(salaryPensionAdjustment(30_000, 50_000)).toBe(0);
    expect(salaryPensionAdjustment(80_000, 60_000)).toBe(40_000);
  });

  it('takes 10% of the salary between 8,500,000 and 10,000,000 for a dependant under 23', () => {
    expect(childCareAdjustment(8_500_000)).toBe(0);
    expect(childCareAdjustment(9_000_000)).toBe(50_000);
    expect(childCareAdjustment(12_000_000)).toBe(150_000);
  });

  it('applies the quick-calculation table to 課税所得 rounded down to 1,000 yen', () => {
    expect(incomeTax(0)).toBe(0);
    expect(incomeTax(-5_000)).toBe(0);
    expect(incomeTax(1_000_999)).toBe(50_000);
    expect(incomeTax(1_950_000)).toBe(97_500);
    expect(incomeTax(3_300_000)).toBe(232_500);
    expect(incomeTax(7_000_000)).toBe(974_000);
    expect(incomeTax(50_000_000)).toBe(17_704_000);
  });

  it('exempts a single person with 合計所得金額 up to 450,000 from 均等割', () => {
    expect(assessResidentTax({ totalIncome: 450_000, dependants: 0, special: false, deductions: 430_000 }).kintowari).toBe(0);
    expect(assessResidentTax({ totalIncome: 451_000, dependants: 0, special: false, deductions: 430_000 }).kintowari).toBe(5_000);
  });
});

describe('schoolYearEnd', () => {
  it('is the first 31 March on or after the day the age is reached (the day before the birthday)', () => {
    expect(formatDay(schoolYearEnd(dayNumber(2006, 4, 1), 18))).toBe('2024-03-31');
    expect(formatDay(schoolYearEnd(dayNumber(2006, 4, 2), 18))).toBe('2025-03-31');
    expect(formatDay(schoolYearEnd(dayNumber(2002, 4, 2), 22))).toBe('2025-03-31');
    expect(formatDay(schoolYearEnd(dayNumber(2002, 12, 31), 22))).toBe('2025-03-31');
  });
});
