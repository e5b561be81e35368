import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/** Kysely's view of the tables in migrations/. Dates are 'YYYY-MM-DD' strings. */
export type RecordKind = 'residents' | 'income' | 'accounts' | 'circumstances';
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
  /** The machine and process running the import, and when it last said it still is. */
  host: string | null;
  pid: number | null;
  heartbeat_at: Timestamp | null;
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
  // The optional columns of income.csv (CONTRACT.md); null: the record does not say.
  salary_income: number | null;
  pension_income: number | null;
  dependants: number | null;
  elderly_dependants: number | null;
  dependants_abroad: number | null;
  treaty_exempt: boolean | null;
  income_tax: number | null;
}

export type CircumstanceKind = 'public_servant' | 'facility_placement' | 'supported_student' | 'declined';

export interface CircumstanceRow extends Versioned {
  circumstance: CircumstanceKind;
  /** The program id it concerns; '' when it concerns none (so it can be part of the key). */
  program: string;
  active: boolean;
  /** Free text (≤ 200 chars), never logged. */
  note: string | null;
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

/** `operator`: the system operator, bound to no municipality, who sees only the job queues. */
export type StaffRole = 'viewer' | 'reviewer' | 'supervisor' | 'admin' | 'operator';

export interface StaffUserTable {
  id: Generated<number>;
  /** Null for an operator only. */
  municipality_code: string | null;
  login: string;
  role: StaffRole;
  password_hash: string;
  created_at: Generated<Date>;
  disabled_at: Timestamp | null;
}

/** Failed sign-ins per account (`account:` + a hash of the login) and per client address (`address:` + IP). */
export interface LoginThrottleTable {
  key: string;
  failures: Generated<number>;
  window_started_at: Generated<Date>;
  locked_until: Date | null;
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

export type ChangeKind = 'new' | 'amount_changed' | 'stopped' | 'restarted' | 'outcome_changed' | 'recipient_changed' | 'confirmed';

export interface DecisionTable {
  id: Generated<number>;
  decision_id: string;
  municipality_code: string;
  program: string;
  household_id: string;
  /** The person decided, for a program with `subject: person`; '' for household programs. */
  subject_person_id: Generated<string>;
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
  /** The household snapshot decided on; null since issue 15 (rebuilt from the store, checked against inputs_hash). */
  inputs: JSONColumnType<Record<string, unknown> | null>;
  inputs_hash: string | null;
  /** The 世帯主 on the membership date, whom notices address when no recipient is named (kept only then since issue 15). */
  head_person_id: string | null;
  /** Full, or compact (src/decisions/compact-explanation.ts): read through the decisions repository. */
  explanation: JSONColumnType<Record<string, unknown>>;
  /** null: rendered from the explanation on read. */
  explanation_text: string | null;
  supersedes: number | null;
  decided_at: Generated<Date>;
  /** The staff member who made this decision; null for the engine's. */
  decided_by: Generated<number | null>;
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
  attempt: Generated<number>;
}

export interface BatchPlanTable {
  run_id: number;
  stage: string;
  items: JSONColumnType<unknown[]>;
  /** The items a chunk takes, kept from the stage's first start; null in plans stored before it was kept. */
  chunk_size: number | null;
}

export interface BatchStageTable {
  run_id: number;
  stage: string;
  done_at: Generated<Date>;
  result: JSONColumnType<Record<string, unknown>>;
}

export interface BatchLockTable {
  municipality_code: string;
  holder: string;
  host: string;
  pid: number;
  acquired_at: Generated<Date>;
  heartbeat_at: Generated<Date>;
}

export type PaymentLineStatus = 'due' | 'cancelled' | 'exported' | 'failed' | 'held';

export interface PaymentLineTable {
  id: Generated<number>;
  municipality_code: string;
  program: string;
  household_id: string;
  recipient_person_id: string;
  period_start: string;
  period_end: string;
  payment_date: string;
  kind: 'regular' | 'arrears' | 'reissue';
  amount_yen: number;
  status: PaymentLineStatus;
  decision_id: string;
  reissue_of: number | null;
  bank_code: string | null;
  branch_code: string | null;
  account_type: number | null;
  account_number: string | null;
  holder_kana: string | null;
  exported_at: Timestamp | null;
  result_code: string | null;
  failed_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PaymentExportTable {
  municipality_code: string;
  payment_date: string;
  exported_at: Generated<Date>;
  lines: number;
  total_yen: number;
  sha256: string;
}

export type ReviewItemKind = 'recovery' | 'missing_account' | 'failed_transfer' | 'decision_review' | 'large_change' | 'stop';
export type ReviewItemStatus = 'open' | 'held' | 'resolved';

export interface ReviewItemTable {
  id: Generated<number>;
  municipality_code: string;
  kind: ReviewItemKind;
  item_key: string;
  program: string;
  household_id: string;
  person_id: string | null;
  decision_id: string | null;
  payment_line_id: number | null;
  period_start: string | null;
  amount_yen: number | null;
  status: Generated<ReviewItemStatus>;
  detail: JSONColumnType<Record<string, unknown>>;
  created_at: Generated<Date>;
  resolved_at: Timestamp | null;
  updated_at: Generated<Date>;
}

export type ReviewAction = 'approve' | 'reject' | 'hold' | 'request_info' | 'override' | 'confirm';

export interface ReviewActionTable {
  id: Generated<number>;
  municipality_code: string;
  review_item_id: number;
  action: ReviewAction;
  reason: string | null;
  outcome: 'eligible' | 'ineligible' | null;
  amount_yen: number | null;
  confirms: number | null;
  staff_user_id: number;
  staff_login: string;
  created_at: Generated<Date>;
}

export interface AccessLogTable {
  id: Generated<number>;
  municipality_code: string;
  person_id: string;
  /** null for a read from the command line (benefit access-log), by an OS user: staff_login says who. */
  staff_user_id: number | null;
  staff_login: string;
  staff_role: StaffRole;
  what: string;
  purpose: string;
  accessed_at: Generated<Date>;
}

export interface NoticeTable {
  id: Generated<number>;
  notice_id: string;
  municipality_code: string;
  kind: string;
  program: string;
  household_id: string;
  person_id: string | null;
  decision_id: string | null;
  review_item_id: number | null;
  review_action_id: number | null;
  batch_run_id: number;
  issued_on: string;
  content: JSONColumnType<Record<string, unknown>>;
  status: Generated<'pending' | 'rendered'>;
  file: string | null;
  pages: number | null;
  created_at: Generated<Date>;
  rendered_at: Timestamp | null;
}

/** A letter's 文書番号 (symbol第number号), counted per municipality, symbol and 年度 (migrations/0020). */
export interface NoticeNumberTable {
  notice_id: string;
  municipality_code: string;
  symbol: string;
  fiscal_year: number;
  number: number;
}

export interface PaymentComputationTable {
  id: Generated<number>;
  municipality_code: string;
  program: string;
  payment_date: string;
  last_period_start: string;
  started_at: Timestamp;
  finished_at: Generated<Date>;
  run_id: number | null;
}

export interface BatchChunkTable {
  run_id: number;
  stage: string;
  chunk: number;
  done_at: Generated<Date>;
  result: JSONColumnType<Record<string, unknown>>;
}

export interface SimulationTable {
  id: Generated<number>;
  municipality_code: string;
  draft: string;
  as_of: string;
  requested_by: number;
  requested_login: string;
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  error: string | null;
  summary: JSONColumnType<Record<string, unknown>> | null;
  created_at: Generated<Date>;
  finished_at: Timestamp | null;
}

export interface DB {
  simulations: SimulationTable;
  payment_lines: PaymentLineTable;
  payment_exports: PaymentExportTable;
  review_items: ReviewItemTable;
  review_actions: ReviewActionTable;
  access_log: AccessLogTable;
  notices: NoticeTable;
  notice_numbers: NoticeNumberTable;
  batch_chunks: BatchChunkTable;
  batch_plans: BatchPlanTable;
  batch_stages: BatchStageTable;
  batch_locks: BatchLockTable;
  payment_computations: PaymentComputationTable;
  rule_versions: RuleVersionTable;
  decisions: DecisionTable;
  batch_runs: BatchRunTable;
  staff_users: StaffUserTable;
  staff_sessions: StaffSessionTable;
  login_throttle: LoginThrottleTable;
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
  circumstance_history: CircumstanceRow;
  circumstances: CircumstanceRow;
  household_changes: HouseholdChangeTable;
}
