import { Environment } from '@marcbachmann/cel-js';
import { addDays, addYears } from './calendar.ts';
import { findBranch } from '../codes/bank-codes.ts';
import type { AccountSummary, HouseholdSnapshot, MemberSnapshot, PriorDecision, TaxRecord } from './household-snapshot.ts';
import type { MemberFacts } from './member-facts.ts';
import { endOfSchoolYearAfterAge, legalAge } from './legal-age.ts';
import { allOf, anyOf, dependantOfTaxed, kintowariExempt, shotokuwariExempt } from './resident-tax-status.ts';

/**
 * The expression language of program folders: CEL (Common Expression Language), evaluated by
 * @marcbachmann/cel-js, with the household's data as typed variables and a small standard
 * library of legal functions. docs/expressions.md lists every variable, field and function and
 * says why CEL and this library.
 *
 * CEL integers are BigInt; the engine converts at the edges (expression-input.ts).
 */

/**
 * A member as expressions see them: a view over the snapshot and the member's facts whose
 * fields convert on first read (CEL integers are BigInt), so a household's members cost nothing
 * for the fields an expression does not read. `snapshot`, `source` and `engineVersion` serve
 * the library functions; they are not fields.
 */
export class CelMember {
  #tax?: Map<string, CelTaxRecord>;
  #decisions?: CelDecision[];
  constructor(
    readonly source: MemberSnapshot,
    private readonly facts: MemberFacts,
    readonly snapshot: HouseholdSnapshot,
    readonly engineVersion: string,
  ) {}
  get person_id() { return this.source.person_id; }
  get relationship() { return this.source.relationship; }
  get birth_date() { return this.source.birth_date; }
  get resident_since() { return this.source.resident_since; }
  get age() { return BigInt(this.facts.age); }
  get under_3() { return this.facts.under_3; }
  get within_school_year_after_12() { return this.facts.within_school_year_after_12; }
  get within_school_year_after_15() { return this.facts.within_school_year_after_15; }
  get within_school_year_after_18() { return this.facts.within_school_year_after_18; }
  get within_school_year_after_22() { return this.facts.within_school_year_after_22; }
  get is_recipient_or_partner() { return this.facts.is_recipient_or_partner; }
  get public_servant() { return this.facts.public_servant; }
  get facility_placement() { return this.facts.facility_placement; }
  get supported_student() { return this.facts.supported_student; }
  get circumstances() { return (this.source.circumstances ?? []).map((c) => c.circumstance); }
  get accounts() { return (this.source.accounts ?? []).map((a) => new CelAccount(a)); }
  get tax() {
    return (this.#tax ??= new Map(Object.entries(this.source.tax).map(([year, record]) => [year, new CelTaxRecord(record)])));
  }
  get decisions() {
    return (this.#decisions ??= (this.source.decisions ?? []).map((d) => new CelDecision(d)));
  }
}

const big = (n: number | null | undefined) => (n === null || n === undefined ? null : BigInt(n));

/** A tax record as expressions see it; the optional columns are null when the record does not say. */
export class CelTaxRecord {
  constructor(readonly record: TaxRecord) {}
  get total_income() { return BigInt(this.record.total_income); }
  get kintowari() { return BigInt(this.record.kintowari); }
  get shotokuwari() { return BigInt(this.record.shotokuwari); }
  get dependent_of() { return this.record.dependent_of ?? null; }
  get supporter_taxed() { return this.record.supporter_taxed ?? null; }
  get salary_income() { return big(this.record.salary_income); }
  get pension_income() { return big(this.record.pension_income); }
  get dependants() { return big(this.record.dependants); }
  get elderly_dependants() { return big(this.record.elderly_dependants); }
  get dependants_abroad() { return big(this.record.dependants_abroad); }
  get treaty_exempt() { return this.record.treaty_exempt ?? null; }
  get income_tax() { return big(this.record.income_tax); }
}

/** An account on record (公金受取口座 or registered): never its number, which snapshots do not hold. */
export class CelAccount {
  constructor(readonly account: AccountSummary) {}
  get source() { return this.account.source; }
  get bank_code() { return this.account.bank_code; }
  get branch_code() { return this.account.branch_code; }
  /** The bank and branch are in the 全銀 list (a transfer can be made). */
  get usable() { return findBranch(this.account.bank_code, this.account.branch_code) !== undefined; }
}

export class CelDecision {
  constructor(readonly decision: PriorDecision) {}
  get program() { return this.decision.program; }
  get outcome() { return this.decision.outcome; }
  get amount_yen() { return BigInt(this.decision.amount_yen); }
  get household_id() { return this.decision.household_id; }
}

/** Fields of a member (MemberFacts, plus the records). */
export const MEMBER_FIELDS = {
  person_id: 'string',
  relationship: 'string',
  birth_date: 'string',
  resident_since: 'string',
  age: 'int',
  under_3: 'bool',
  within_school_year_after_12: 'bool',
  within_school_year_after_15: 'bool',
  within_school_year_after_18: 'bool',
  within_school_year_after_22: 'bool',
  is_recipient_or_partner: 'bool',
  public_servant: 'bool',
  facility_placement: 'bool',
  supported_student: 'bool',
  circumstances: 'list<string>',
  accounts: 'list<Account>',
  tax: 'map<string, TaxRecord>',
  decisions: 'list<Decision>',
} as const;

/** Fields of a tax record; the optional columns are `dyn` because a record may not say (null). */
export const TAX_RECORD_FIELDS = {
  total_income: 'int',
  kintowari: 'int',
  shotokuwari: 'int',
  dependent_of: 'dyn',
  supporter_taxed: 'dyn',
  salary_income: 'dyn',
  pension_income: 'dyn',
  dependants: 'dyn',
  elderly_dependants: 'dyn',
  dependants_abroad: 'dyn',
  treaty_exempt: 'dyn',
  income_tax: 'dyn',
} as const;

export const ACCOUNT_FIELDS = { source: 'string', bank_code: 'string', branch_code: 'string', usable: 'bool' } as const;

/** A recorded decision of another program about the household a member belonged to on that program's membership date. */
export const DECISION_FIELDS = { program: 'string', outcome: 'string', amount_yen: 'int', household_id: 'string' } as const;

export const VARIABLES = {
  members: { type: 'list<Member>', description: '判定日（基準日）に住民登録のある世帯員' },
  recipient: { type: 'Member', description: '受給者（世帯主など、rules の recipient による）' },
  subject: { type: 'Member', description: '個人単位のプログラム（subject: person）で判定する本人' },
  date: { type: 'string', description: '判定日（月額は支給月の初日、一回限りは基準日）YYYY-MM-DD' },
  membership_date: { type: 'string', description: '世帯員を数える日 YYYY-MM-DD' },
  params: { type: 'map<string, dyn>', description: 'parameters.json の判定日時点の値（金額は int）' },
  parameters: { type: 'map<string, list<dyn>>', description: 'parameters.json の日付付きの値すべて（value_on で任意の日の値を得る）' },
} as const;

const fiscalYears = new Map<bigint, string>();
/** A fiscal year as the records key it; remembered, as the library calls run per member and household. */
const fy = (year: bigint) => fiscalYears.get(year) ?? (fiscalYears.set(year, String(year)), String(year));
/** One dated value of a parameter as expressions see it: from, to (null: open), value. */
type DatedValue = Map<string, unknown>;
const nullable = <T>(v: T | null | undefined) => (v === undefined ? null : v);

/** The standard library: each function with its signature and what it means. */
export const FUNCTIONS: { signature: string; description: string; handler: (...args: never[]) => unknown }[] = [
  {
    signature: 'kintowari_exempt(Member, int): dyn',
    description: 'その年度の住民税均等割が非課税か（租税条約による免除は非課税としない。課税情報がなければ、1月2日以降の出生者と1月1日に住民登録のあった未成年者は非課税、その他は不明 null）',
    handler: (m: CelMember, year: bigint) => kintowariExempt(m.source, fy(year), m.engineVersion),
  },
  {
    signature: 'shotokuwari_exempt(Member, int): dyn',
    description: 'その年度の住民税所得割が課されていないか（非課税または均等割のみ）。課税情報がないときは kintowari_exempt と同じ',
    handler: (m: CelMember, year: bigint) => shotokuwariExempt(m.source, fy(year), m.engineVersion),
  },
  {
    signature: 'dependant_of_taxed(Member, int): dyn',
    description: 'その年度に住民税が課税されている者の扶養親族等か（扶養親族等でなければ false、扶養者の課税状況が分からなければ null）',
    handler: (m: CelMember, year: bigint) => dependantOfTaxed(m.snapshot, m.source, fy(year), m.engineVersion),
  },
  {
    signature: 'dependant_of_shotokuwari_payer(Member, int): dyn',
    description: 'その年度に住民税所得割が課されている者の扶養親族等か',
    handler: (m: CelMember, year: bigint) => dependantOfTaxed(m.snapshot, m.source, fy(year), m.engineVersion, 'shotokuwari'),
  },
  {
    signature: 'tax(Member, int): TaxRecord',
    description: 'その年度の課税情報（TaxRecord）。なければ、それを読む事実は不明（null）になる',
    handler: (m: CelMember, year: bigint) => nullable(m.tax.get(fy(year))),
  },
  {
    signature: 'has_tax(Member, int): bool',
    description: 'その年度の課税情報を市が持っているか',
    handler: (m: CelMember, year: bigint) => m.source.tax[fy(year)] !== undefined,
  },
  {
    signature: 'was_eligible(Member, string): dyn',
    description: '本人が、指定したプログラムの基準日に、そのプログラムで支給対象と決定された世帯に属していたか（要確認の決定なら null）',
    handler: (m: CelMember, program: string) => {
      const outcomes = (m.source.decisions ?? []).filter((d) => d.program === program).map((d) => d.outcome);
      return anyOf(outcomes.map((o) => (o === 'eligible' ? true : o === 'review' ? null : false)));
    },
  },
  {
    signature: 'has_decision(Member, string): bool',
    description: '指定したプログラムの基準日に本人が属していた世帯について、そのプログラムの決定が記録されているか',
    handler: (m: CelMember, program: string) => (m.source.decisions ?? []).some((d) => d.program === program),
  },
  { signature: 'negate(dyn): dyn', description: '否定（null は null のまま）', handler: (x: boolean | null) => (x === null ? null : !x) },
  {
    signature: 'value_on(list<dyn>, string): dyn',
    description: '日付付きの値（parameters.名前）のうち、その日に効力のある値（なければ null）',
    handler: (values: DatedValue[], date: string) => values.find((v) => v.get('from')! <= date && (v.get('to') === null || date <= (v.get('to') as string)))?.get('value') ?? null,
  },
  { signature: 'all_of(list<dyn>): dyn', description: 'すべて true なら true、一つでも false なら false、それ以外は null（不明）', handler: (l: unknown[]) => allOf([...l] as (boolean | null)[]) },
  { signature: 'any_of(list<dyn>): dyn', description: '一つでも true なら true、すべて false なら false、それ以外は null（不明）', handler: (l: unknown[]) => anyOf([...l] as (boolean | null)[]) },
  { signature: 'sum(list<int>): int', description: '合計', handler: (l: bigint[]) => [...l].reduce((a, b) => a + b, 0n) },
  { signature: 'max(int, int): int', description: '大きい方', handler: (a: bigint, b: bigint) => (a > b ? a : b) },
  { signature: 'min(int, int): int', description: '小さい方', handler: (a: bigint, b: bigint) => (a < b ? a : b) },
  { signature: 'round_up(int, int): int', description: '単位（例 10000）の倍数に切り上げ（0以上の数）', handler: (x: bigint, unit: bigint) => ((x + unit - 1n) / unit) * unit },
  { signature: 'round_down(int, int): int', description: '単位の倍数に切り捨て（0以上の数）', handler: (x: bigint, unit: bigint) => (x / unit) * unit },
  { signature: 'legal_age(string, string): int', description: '生年月日と日付から、年齢計算ニ関スル法律による年齢', handler: (birth: string, on: string) => BigInt(legalAge(birth, on)) },
  { signature: 'add_days(string, int): string', description: '日付に日数を加える', handler: (d: string, n: bigint) => addDays(d, Number(n)) },
  { signature: 'add_years(string, int): string', description: '日付に年数を加える（2月29日は平年では3月1日）', handler: (d: string, n: bigint) => addYears(d, Number(n)) },
  {
    signature: 'school_year_end(string, int): string',
    description: '生年月日の者がその年齢に達した日以後の最初の3月31日（例: 18歳年度末）',
    handler: (birth: string, age: bigint) => endOfSchoolYearAfterAge(birth, Number(age)),
  },
];

/** The environment every program's expressions are checked and run in; program facts are added per rules file. */
export function baseEnvironment(): Environment {
  const env = new Environment({ homogeneousAggregateLiterals: false })
    .registerType('TaxRecord', { ctor: CelTaxRecord, fields: TAX_RECORD_FIELDS })
    .registerType('Decision', { ctor: CelDecision, fields: DECISION_FIELDS })
    .registerType('Account', { ctor: CelAccount, fields: ACCOUNT_FIELDS })
    .registerType('Member', { ctor: CelMember, fields: MEMBER_FIELDS });
  for (const [name, v] of Object.entries(VARIABLES)) env.registerVariable(name, v.type, { description: v.description });
  for (const f of FUNCTIONS) env.registerFunction(f.signature, f.handler as (...args: unknown[]) => unknown, { description: f.description });
  return env;
}
