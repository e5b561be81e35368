import { describe, expect, it } from 'vitest';
import { isBankBusinessDay, previousBankBusinessDay } from '../../src/payments/bank-business-day.ts';

describe('payment dates move to the previous bank business day', () => {
  it.each([
    ['2024-12-13', '2024-12-13'], // a Friday
    ['2024-12-15', '2024-12-13'], // a Sunday
    ['2024-10-14', '2024-10-11'], // スポーツの日 (Monday) -> Friday
    ['2025-01-03', '2024-12-30'], // 1/3, 1/2, 1/1 and 12/31 are closed
    ['2025-02-24', '2025-02-21'], // 振替休日 of 天皇誕生日
    ['2025-05-06', '2025-05-02'], // 振替休日, こどもの日, みどりの日, 憲法記念日 (Sat) -> Friday
  ])('%s is paid on %s', (date, paid) => expect(previousBankBusinessDay(date)).toBe(paid));

  it('knows ordinary weekdays are business days', () => {
    expect(isBankBusinessDay('2024-12-10')).toBe(true);
    expect(isBankBusinessDay('2024-12-31')).toBe(false);
  });
});
