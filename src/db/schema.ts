import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Kysely's view of the tables in migrations/. Dates are 'YYYY-MM-DD' strings. */
export type RecordKind = 'residents' | 'income' | 'accounts';
export type ChangeStatus = 'received' | 'applied' | 'rejected';
export type ResidentStatus = 'resident' | 'moved_out' | 'deceased';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface MunicipalityTable {
  municipality_code: string;
  name: Generated<string>;
  settings: Generated<JSONColumnType<Record<string, unknown>>>;
  created_at: Generated<Date>;
}

export interface ImportTable {
  id: Generated<number>;
  kind: RecordKind;
  source: string;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
  rows_read: Generated<number>;
  accepted: Generated<number>;
  duplicates: Generated<number>;
  rejected: Generated<number>;
}

export interface ChangeTable {
  id: Generated<number>;
  municipality_code: string;
  change_id: string;
  kind: RecordKind;
  person_id: string;
  effective_date: string;
  payload: JSONColumnType<Record<string, unknown>>;
  content_hash: string;
  import_id: number | null;
  line: number | null;
  status: Generated<ChangeStatus>;
  received_at: Generated<Date>;
  applied_at: Timestamp | null;
}

export interface RejectionTable {
  id: Generated<number>;
  import_id: number | null;
  municipality_code: Generated<string>;
  source: string;
  line: number | null;
  change_id: string | null;
  field: string;
  reason: string;
  rejected_at: Generated<Date>;
}

interface Versioned {
  change_row: number;
  municipality_code: string;
  person_id: string;
  valid_from: string;
  recorded_at: Date;
}

export interface PersonRow extends Versioned {
  household_id: string;
  relationship: string;
  family_name: string;
  given_name: string;
  family_name_kana: string;
  given_name_kana: string;
  birth_date: string;
  sex: number;
  postal_code: string | null;
  address: string;
  district_code: string | null;
  status: ResidentStatus;
}

export interface IncomeRow extends Versioned {
  fiscal_year: number;
  total_income: number;
  kintowari: number;
  shotokuwari: number;
  dependent_of: string | null;
  supporter_taxed: boolean | null;
}

export interface AccountRow extends Versioned {
  source: 'koukin' | 'registered';
  bank_code: string;
  branch_code: string;
  account_type: number;
  account_number: string;
  holder_kana: string;
}

export interface HouseholdChangeTable {
  change_row: number;
  municipality_code: string;
  household_id: string;
  effective_date: string;
  recorded_at: Date;
}

export type StaffRole = 'viewer' | 'reviewer' | 'supervisor' | 'admin';

export interface StaffUserTable {
  id: Generated<number>;
  municipality_code: string;
  login: string;
  role: StaffRole;
  password_hash: string;
  created_at: Generated<Date>;
  disabled_at: Timestamp | null;
}

export interface StaffSessionTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
}

export interface RuleVersionTable {
  program: string;
  rule_version: string;
  files: JSONColumnType<Record<string, string>>;
  recorded_at: Generated<Date>;
}

export type ChangeKind = 'new' | 'amount_changed' | 'stopped' | 'restarted' | 'outcome_changed' | 'recipient_changed';

export interface DecisionTable {
  id: Generated<number>;
  decision_id: string;
  municipality_code: string;
  program: string;
  household_id: string;
  change_kind: ChangeKind;
  outcome: 'eligible' | 'ineligible' | 'review';
  amount_yen: number;
  recipient_person_id: string | null;
  period_kind: 'monthly' | 'once';
  effective_from: string;
  rule_version: string;
  engine_version: string;
  as_of: string;
  known_at: Timestamp;
  inputs: JSONColumnType<Record<string, unknown>>;
  explanation: JSONColumnType<Record<string, unknown>>;
  explanation_text: string;
  supersedes: number | null;
  decided_at: Generated<Date>;
}

export interface BatchRunTable {
  id: Generated<number>;
  municipality_code: string;
  run_date: string;
  full_run: boolean;
  known_at: Timestamp;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
  summary: JSONColumnType<Record<string, unknown>> | null;
}

export interface DB {
  rule_versions: RuleVersionTable;
  decisions: DecisionTable;
  batch_runs: BatchRunTable;
  staff_users: StaffUserTable;
  staff_sessions: StaffSessionTable;
  municipalities: MunicipalityTable;
  imports: ImportTable;
  changes: ChangeTable;
  rejections: RejectionTable;
  person_history: PersonRow;
  persons: PersonRow;
  person_timeline: PersonRow & { valid_to: string | null };
  income_history: IncomeRow;
  tax_assessments: IncomeRow;
  account_history: AccountRow;
  bank_accounts: AccountRow;
  household_changes: HouseholdChangeTable;
}
