// Bank accounts (accounts.csv) for heads of household and their spouses, and for the parents
// of the 孫 in a three-generation household headed by a grandparent (the 児童手当 recipient).
//
// Why: the engine pays by Zengin transfer and must look every bank and branch up in the
// 全銀 code list (the `zengin-code` package), so generated accounts use only codes that exist
// there: a fixed list of real banks (megabanks, ゆうちょ, regional banks, 信金, 労金, JA) with
// branch codes taken from the package. Bank codes and branch codes are sorted before sampling
// so the choice does not depend on object key order. About 90% of adult heads and spouses
// have an account (the rest must get a confirmation letter), ~60% of them a 公金受取口座
// (koukin), the rest one registered with the municipality, and a few both.

import { createRequire } from 'node:module';
import { dayNumber, formatDay } from './dates.ts';
import type { GenerationContext, Household, Member } from './household-sampler.ts';
import { WeightedTable, type Rng } from './random.ts';

export const ACCOUNT_COLUMNS = [
  'change_id',
  'municipality_code',
  'person_id',
  'effective_date',
  'bank_code',
  'branch_code',
  'account_type',
  'account_number',
  'holder_kana',
  'source',
] as const;

export type AccountRow = [string, string, string, string, string, string, number, string, string, string];

interface ZenginBranch {
  code: string;
  name: string;
  kana: string;
}
interface ZenginBank {
  code: string;
  name: string;
  kana: string;
  branches: Record<string, ZenginBranch>;
}

// zengin-code is CommonJS without type declarations; loading it through createRequire keeps
// this module free of an ambient `declare module` that could clash with other modules'.
const zenginCode = createRequire(import.meta.url)('zengin-code') as Record<string, ZenginBank>;

/** Banks residents use, weighted roughly by retail share (ゆうちょ and megabanks first). */
const BANK_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['0001', 12], // みずほ
  ['0005', 14], // 三菱UFJ
  ['0009', 12], // 三井住友
  ['0010', 5], // りそな
  ['0017', 3], // 埼玉りそな
  ['0033', 2], // PayPay
  ['0036', 4], // 楽天
  ['0134', 3], // 千葉
  ['0138', 8], // 横浜
  ['0397', 1], // SBI新生
  ['1280', 4], // 横浜信金
  ['1344', 3], // 城南信金
  ['2963', 4], // 中央労金
  ['5114', 3], // 横浜農協
  ['5123', 2], // セレサ川崎農協
  ['9900', 20], // ゆうちょ
];

interface BankChoice {
  code: string;
  branches: readonly string[];
}

let banks: WeightedTable<BankChoice> | null = null;

/** The bank table, checked against zengin-code once (a bank dropped from the list is an error). */
export function bankTable(): WeightedTable<BankChoice> {
  if (banks) return banks;
  const entries = [...BANK_WEIGHTS]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, weight]) => {
      const bank = zenginCode[code];
      if (!bank) throw new Error(`bank ${code} is not in zengin-code`);
      const branches = Object.keys(bank.branches).sort();
      if (branches.length === 0) throw new Error(`bank ${code} has no branches in zengin-code`);
      return [{ code, branches }, weight] as const;
    });
  banks = new WeightedTable(entries);
  return banks;
}

const ACCOUNT_TYPES = new WeightedTable<number>([[1, 0.95], [4, 0.04], [2, 0.01]]);

/** 公金受取口座 registration opened on 2022-03-28. */
const KOUKIN_START = dayNumber(2022, 3, 28);
/** Accounts given to the municipality for earlier benefits (特別定額給付金, 2020 onwards). */
const REGISTERED_START = dayNumber(2020, 5, 1);

function accountRow(
  rng: Rng,
  m: Member,
  ctx: GenerationContext,
  municipalityCode: string,
  source: 'koukin' | 'registered',
): AccountRow {
  const bank = rng.weighted(bankTable());
  // Registered while living here: after moving in (or the scheme's start), before leaving.
  const upper = m.departure ? m.departure.day : ctx.asOfDay;
  const lower = Math.min(upper, Math.max(source === 'koukin' ? KOUKIN_START : REGISTERED_START, m.effectiveDay));
  const day = rng.int(lower, upper);
  return [
    `A-${municipalityCode}-${m.personId}-${source === 'koukin' ? 'K' : 'R'}`,
    municipalityCode,
    m.personId,
    formatDay(day),
    bank.code,
    rng.pick(bank.branches),
    rng.weighted(ACCOUNT_TYPES),
    String(rng.int(1_000_000, 9_999_999)),
    `${m.family.kana}\u3000${m.given.kana}`,
    source,
  ];
}

/** Whether the person is likely to be paid something: an adult head or spouse, or a parent of 孫. */
function mayBePaid(h: Household, m: Member): boolean {
  if (m.age < 18) return false;
  if (m.role === 'head' || m.role === 'spouse') return true;
  return (m.role === 'child' || m.role === 'childSpouse') && h.members.some((o) => o.role === 'grandchild');
}

/** Account rows for a household's adult head and spouse (and parents of 孫), passed to `emit` one by one. */
export function emitAccountRows(
  rng: Rng,
  h: Household,
  ctx: GenerationContext,
  municipalityCode: string,
  emit: (row: AccountRow) => void,
): void {
  for (const m of h.members) {
    if (!mayBePaid(h, m)) continue;
    if (!rng.chance(0.9)) continue;
    const r = rng.float();
    if (r < 0.04) {
      emit(accountRow(rng, m, ctx, municipalityCode, 'koukin'));
      emit(accountRow(rng, m, ctx, municipalityCode, 'registered'));
    } else {
      emit(accountRow(rng, m, ctx, municipalityCode, r < 0.62 ? 'koukin' : 'registered'));
    }
  }
}
