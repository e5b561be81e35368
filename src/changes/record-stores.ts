import type { RecordKind } from '../db/schema.ts';

/**
 * Where each kind of input record is kept: its append-only history table, its current-state
 * table, the columns that identify one record (besides municipality_code), and the payload
 * columns with their SQL types. The apply service builds its statements from this, so the
 * kinds share one code path.
 */
export interface RecordStore {
  history: 'person_history' | 'income_history' | 'account_history' | 'circumstance_history';
  current: 'persons' | 'tax_assessments' | 'bank_accounts' | 'circumstances';
  key: string[];
  columns: Record<string, string>;
  /** Key columns that may be empty in the input, stored as '' so the key has no null in it. */
  emptyAsBlank?: string[];
}

export const RECORD_STORES: Record<RecordKind, RecordStore> = {
  residents: {
    history: 'person_history',
    current: 'persons',
    key: ['person_id'],
    columns: {
      household_id: 'text',
      relationship: 'text',
      family_name: 'text',
      given_name: 'text',
      family_name_kana: 'text',
      given_name_kana: 'text',
      birth_date: 'date',
      sex: 'smallint',
      postal_code: 'text',
      address: 'text',
      district_code: 'text',
      status: 'text',
    },
  },
  income: {
    history: 'income_history',
    current: 'tax_assessments',
    key: ['person_id', 'fiscal_year'],
    columns: {
      fiscal_year: 'smallint',
      total_income: 'bigint',
      kintowari: 'integer',
      shotokuwari: 'bigint',
      dependent_of: 'text',
      supporter_taxed: 'boolean',
      salary_income: 'bigint',
      pension_income: 'bigint',
      dependants: 'smallint',
      elderly_dependants: 'smallint',
      dependants_abroad: 'smallint',
      treaty_exempt: 'boolean',
      income_tax: 'bigint',
    },
  },
  accounts: {
    history: 'account_history',
    current: 'bank_accounts',
    key: ['person_id', 'source'],
    columns: {
      source: 'text',
      bank_code: 'text',
      branch_code: 'text',
      account_type: 'smallint',
      account_number: 'text',
      holder_kana: 'text',
    },
  },
  circumstances: {
    history: 'circumstance_history',
    current: 'circumstances',
    key: ['person_id', 'circumstance', 'program'],
    columns: {
      circumstance: 'text',
      program: 'text',
      active: 'boolean',
      note: 'text',
    },
    emptyAsBlank: ['program'],
  },
};
