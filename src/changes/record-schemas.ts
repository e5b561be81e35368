import { z } from 'zod';
import { findBank, findBranch } from '../codes/bank-codes.ts';
import { isIsoDate } from '../codes/iso-date.ts';
import { isHolderKana, isKatakana } from '../codes/kana.ts';
import { isValidMunicipalityCode } from '../codes/municipality-code.ts';
import { isRelationship } from '../codes/relationship.ts';
import type { RecordKind } from '../db/schema.ts';

/**
 * The four input files (CONTRACT.md, Input files) as zod schemas over the raw CSV cells.
 * A parsed record is normalised (numbers, booleans, null for an empty optional cell), so two
 * rows with the same meaning have the same content hash.
 */
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const required = (max: number) =>
  z.string({ error: 'required' }).min(1, 'required').max(max, `longer than ${max} characters`);
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(emptyToUndefined, schema.optional()).transform((v) => v ?? null);
const isoDate = z
  .string({ error: 'required' })
  .min(1, 'required')
  .refine(isIsoDate, 'not a real date in YYYY-MM-DD form');
const digits = (n: number) => z.string({ error: 'required' }).regex(new RegExp(`^\\d{${n}}$`), `must be ${n} digits`);
const yen = z
  .string({ error: 'required' })
  .regex(/^\d{1,12}$/, 'must be whole yen: digits only, no sign, comma or decimals')
  .transform(Number);
const boolean = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');
const count = z
  .string({ error: 'required' })
  .regex(/^\d{1,3}$/, 'must be a whole number of persons (0 to 999)')
  .transform(Number);
const kana = (max: number) =>
  required(max).refine(isKatakana, 'must be full-width katakana (ァ-ヶ, ー, full-width space inside)');

const common = {
  change_id: required(64),
  municipality_code: z
    .string({ error: 'required' })
    .refine(isValidMunicipalityCode, 'not a 6-digit 全国地方公共団体コード with a valid check digit'),
  person_id: required(20),
  effective_date: isoDate,
};

const residents = z
  .object({
    ...common,
    household_id: required(20),
    relationship: required(20).refine(isRelationship, 'not a 続柄 (世帯主, 妻, 子, …, or a chain such as 子の妻)'),
    family_name: required(50),
    given_name: required(50),
    family_name_kana: kana(50),
    given_name_kana: kana(50),
    birth_date: isoDate,
    sex: z.enum(['1', '2'], { error: 'must be 1 (male) or 2 (female)' }).transform(Number),
    postal_code: optional(digits(7)),
    address: required(200),
    district_code: optional(z.string().max(20, 'longer than 20 characters')),
    status: z.enum(['resident', 'moved_out', 'deceased'], { error: 'must be resident, moved_out or deceased' }),
  })
  .superRefine((r, ctx) => {
    if (isIsoDate(r.birth_date) && isIsoDate(r.effective_date) && r.birth_date > r.effective_date) {
      ctx.addIssue({ code: 'custom', path: ['effective_date'], message: 'before birth_date' });
    }
  });

/** Added after the first release (issue 12): omitted from a record when empty. */
const LATER_INCOME_COLUMNS = ['salary_income', 'pension_income', 'dependants', 'elderly_dependants', 'dependants_abroad', 'treaty_exempt', 'income_tax'] as const;

const income = z
  .object({
    ...common,
    fiscal_year: z
      .string({ error: 'required' })
      .regex(/^(19|20|21)\d{2}$/, 'must be a 4-digit fiscal year such as 2024')
      .transform(Number),
    total_income: yen,
    kintowari: yen,
    shotokuwari: yen,
    dependent_of: optional(z.string().max(20, 'longer than 20 characters')),
    supporter_taxed: optional(boolean),
    salary_income: optional(yen),
    pension_income: optional(yen),
    dependants: optional(count),
    elderly_dependants: optional(count),
    dependants_abroad: optional(count),
    treaty_exempt: optional(boolean),
    income_tax: optional(yen),
  })
  .superRefine((r, ctx) => {
    if (r.supporter_taxed !== null && r.dependent_of === null) {
      ctx.addIssue({ code: 'custom', path: ['supporter_taxed'], message: 'given without dependent_of' });
    }
    if (r.dependent_of === r.person_id) {
      ctx.addIssue({ code: 'custom', path: ['dependent_of'], message: 'a person cannot be their own dependant' });
    }
    for (const part of ['salary_income', 'pension_income'] as const) {
      if (r[part] !== null && r[part] > r.total_income) {
        ctx.addIssue({ code: 'custom', path: [part], message: `more than total_income (${r.total_income}): it is a part of it` });
      }
    }
    for (const part of ['elderly_dependants', 'dependants_abroad'] as const) {
      if (r[part] !== null && r.dependants === null) {
        ctx.addIssue({ code: 'custom', path: [part], message: 'given without dependants: it counts some of them' });
      } else if (r[part] !== null && r[part] > r.dependants!) {
        ctx.addIssue({ code: 'custom', path: [part], message: `more than dependants (${r.dependants}): it counts some of them` });
      }
    }
  })
  // The optional tax-record columns are left out when empty, so a row without them keeps the
  // content hash it had before they existed (re-sending an old file stays a no-op).
  .transform((r) => {
    const out: Partial<typeof r> = { ...r };
    for (const key of LATER_INCOME_COLUMNS) if (out[key] === null) delete out[key];
    return out as typeof r;
  });

/** circumstances.csv: what neither the register nor the tax record says. */
export const CIRCUMSTANCES = ['public_servant', 'facility_placement', 'supported_student', 'declined'] as const;

const circumstances = z
  .object({
    ...common,
    circumstance: z.enum(CIRCUMSTANCES, { error: `must be one of ${CIRCUMSTANCES.join(', ')}` }),
    active: z.enum(['true', 'false'], { error: 'must be true (from effective_date on) or false (it stops)' }).transform((v) => v === 'true'),
    program: optional(z.string().max(64, 'longer than 64 characters').regex(/^[a-z0-9-]+$/, 'not a program id (lower-case letters, digits and -)')),
    // Free text: its value is never logged, nor repeated in a rejection.
    note: optional(z.string().max(200, 'longer than 200 characters')),
  })
  .superRefine((r, ctx) => {
    if (r.circumstance === 'declined' && r.program === null) {
      ctx.addIssue({ code: 'custom', path: ['program'], message: 'required when circumstance is declined: the program the person declined' });
    }
  });

const accounts = z
  .object({
    ...common,
    bank_code: digits(4).refine((c) => findBank(c) !== undefined, 'not in the 全銀 bank code list'),
    branch_code: digits(3),
    account_type: z.enum(['1', '2', '4'], { error: 'must be 1 (普通), 2 (当座) or 4 (貯蓄)' }).transform(Number),
    account_number: digits(7),
    holder_kana: required(60).refine(isHolderKana, 'must be katakana (full- or half-width)'),
    source: z.enum(['koukin', 'registered'], { error: 'must be koukin or registered' }),
  })
  .superRefine((r, ctx) => {
    if (findBank(r.bank_code) && !findBranch(r.bank_code, r.branch_code)) {
      ctx.addIssue({ code: 'custom', path: ['branch_code'], message: `not a branch of bank ${r.bank_code}` });
    }
  });

export const RECORD_SCHEMAS = { residents, income, accounts, circumstances } as const;

export type ResidentRecord = z.output<typeof residents>;
export type IncomeRecord = z.output<typeof income>;
export type AccountRecord = z.output<typeof accounts>;
export type CircumstanceRecord = z.output<typeof circumstances>;
export type InputRecord = ResidentRecord | IncomeRecord | AccountRecord | CircumstanceRecord;

/** The columns each file has, required ones first. Order in a file is free. */
export const COLUMNS: Record<RecordKind, { required: string[]; optional: string[] }> = {
  residents: {
    required: [
      'change_id', 'municipality_code', 'person_id', 'effective_date', 'household_id', 'relationship',
      'family_name', 'given_name', 'family_name_kana', 'given_name_kana', 'birth_date', 'sex', 'address', 'status',
    ],
    optional: ['postal_code', 'district_code'],
  },
  income: {
    required: ['change_id', 'municipality_code', 'person_id', 'effective_date', 'fiscal_year', 'total_income', 'kintowari', 'shotokuwari'],
    optional: ['dependent_of', 'supporter_taxed', ...LATER_INCOME_COLUMNS],
  },
  accounts: {
    required: ['change_id', 'municipality_code', 'person_id', 'effective_date', 'bank_code', 'branch_code', 'account_type', 'account_number', 'holder_kana', 'source'],
    optional: [],
  },
  circumstances: {
    required: ['change_id', 'municipality_code', 'person_id', 'effective_date', 'circumstance', 'active'],
    optional: ['program', 'note'],
  },
};

export const RECORD_KINDS = Object.keys(COLUMNS) as RecordKind[];

export interface FieldProblem {
  field: string;
  reason: string;
}

export type ParseResult = { ok: true; record: InputRecord } | { ok: false; problems: FieldProblem[] };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why PostgreSQL could not store this text, if it could not: a NUL character (U+0000, which
 * neither text nor jsonb holds) or half of a UTF-16 surrogate pair (not Unicode text at all;
 * a JSON body can carry one as `\ud800`). A CSV file cannot carry the latter: bytes that are
 * not valid in its encoding arrive as U+FFFD and are rejected as such.
 */
export function unstorableReason(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored: remove it';
  if (LONE_SURROGATE.test(value)) return 'contains half of a UTF-16 surrogate pair (not valid Unicode text), which cannot be stored';
  return undefined;
}

/**
 * Validates one row of cells (column name → text): first that every cell can be stored at all
 * (for the CSV import and POST /v1/changes alike), then the kind's schema.
 */
export function parseRecord(kind: RecordKind, cells: Record<string, string>): ParseResult {
  const unstorable: FieldProblem[] = [];
  for (const [field, value] of Object.entries(cells)) {
    const reason = unstorableReason(value);
    if (reason) unstorable.push({ field, reason });
  }
  const result = RECORD_SCHEMAS[kind].safeParse(cells);
  if (result.success && unstorable.length === 0) return { ok: true, record: result.data };
  const schemaProblems = result.success
    ? []
    : result.error.issues.map((i) => ({ field: String(i.path[0] ?? '(row)'), reason: i.message }));
  return { ok: false, problems: [...unstorable, ...schemaProblems.filter((p) => !unstorable.some((u) => u.field === p.field))] };
}
