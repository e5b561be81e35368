import type { Migration } from 'kysely';
import * as store from './0001_store.ts';
import * as staff from './0002_staff.ts';
import * as decisions from './0003_decisions.ts';
import * as payments from './0004_payments.ts';
import * as batch from './0005_batch.ts';
import * as review from './0006_review.ts';
import * as simulations from './0007_simulations.ts';
import * as decisionPaging from './0008_decision_paging.ts';
import * as circumstances from './0009_circumstances.ts';
import * as signInHardening from './0010_sign_in_hardening.ts';
import * as importLiveness from './0011_import_liveness.ts';
import * as personDecisions from './0012_person_decisions.ts';
import * as decisionStorage from './0013_decision_storage.ts';
import * as documentNumbers from './0014_document_numbers.ts';
import * as accessLogCliReads from './0015_access_log_cli_reads.ts';
import * as decisionTimeRanges from './0016_decision_time_ranges.ts';
import * as changeTimeRanges from './0017_change_time_ranges.ts';
import * as planChunkSize from './0018_plan_chunk_size.ts';
import * as waitingPaymentIndexes from './0019_waiting_payment_indexes.ts';
import * as noticeNumbers from './0020_notice_numbers.ts';

/** Every migration, in order. Add new ones here: names sort in the order they run. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_store': store,
  '0002_staff': staff,
  '0003_decisions': decisions,
  '0004_payments': payments,
  '0005_batch': batch,
  '0006_review': review,
  '0007_simulations': simulations,
  '0008_decision_paging': decisionPaging,
  '0009_circumstances': circumstances,
  '0010_sign_in_hardening': signInHardening,
  '0011_import_liveness': importLiveness,
  '0012_person_decisions': personDecisions,
  '0013_decision_storage': decisionStorage,
  '0014_document_numbers': documentNumbers,
  '0015_access_log_cli_reads': accessLogCliReads,
  '0016_decision_time_ranges': decisionTimeRanges,
  '0017_change_time_ranges': changeTimeRanges,
  '0018_plan_chunk_size': planChunkSize,
  '0019_waiting_payment_indexes': waitingPaymentIndexes,
  '0020_notice_numbers': noticeNumbers,
};
