import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AmountStep, Explanation } from '../engine/evaluate-household.ts';
import type { MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import { usableAccount } from '../payments/create-payments.service.ts';
import { withFullExplanations, type StoredDecision } from '../decisions/stored-explanation.ts';
import { declinedSql } from '../payments/declined.ts';
import { accountsOf } from '../payments/payment.repository.ts';
import { lapsedPeriods, monthlySchedule, type Period } from '../payments/payment-schedule.ts';
import type { ProgramSpec } from '../rules/program-schema.ts';
import {
  confirmationRequestNotice,
  decisionNotice,
  informationRequestNotice,
  noticeKindFor,
  reviewItemNotice,
  type NoticeDecision,
  type NoticeReviewItem,
} from './notice-builder.ts';
import { numberLetters } from './document-numbers.ts';
import type { NoticeContent, NoticeRecipient } from './notice-content.ts';
import { fullAddress } from './recipient-address.ts';

const PAGE = 2000;

export interface CreateNoticesInput {
  runId: number;
  municipalityCode: string;
  issuedOn: string;
  /** Decisions known after this time are notified (the previous finished run's knowledge time). */
  since: Date;
  settings: MunicipalitySettings;
  programs: Map<string, ProgramSpec>;
  /** The payment date each program's next payment goes out on, printed on 支給決定. */
  paymentDates: Map<string, string>;
}

interface NewNotice {
  content: NoticeContent;
  program: string;
  household_id: string;
  person_id: string;
  decision_id: string | null;
  review_item_id: number | null;
  review_action_id?: number;
}

/** The condition a 児童手当 decision leaves unknown while a 確認書 for a supported student is missing. */
export const SUPPORTED_STUDENT_CONFIRMATION = 'supported_student_confirmation';

/*
 * The notices of a run are created in two parts, each letter once: the notice id comes from its
 * source, so a re-run inserts nothing. Staff decisions are notified like the engine's. Nothing
 * is written for a program a household declined (辞退): not the decision that records it, nor
 * anything else while its latest decision is declined.
 *
 * - The decisions' letters (most of them), in chunks of decision groups (decisionGroups) that
 *   the notices workers create side by side: createDecisionNotices.
 * - Then, in the nightly process, every recovery or missing-account item, every request for
 *   information staff made and every 確認書 a decision waits for: createOtherNotices.
 */

/**
 * The letters of one chunk of decision groups (decisionGroups), in `trx`: content built first,
 * then numbered and inserted, so the 文書番号 lock is held only for the insert. Returns how many
 * are new.
 */
export async function createDecisionNotices(trx: Transaction<DB>, input: CreateNoticesInput, groups: number[][]): Promise<number> {
  const m = input.municipalityCode;
  const ids = groups.flat();
  const { rows: stored } = await sql<
    NoticeDecision & StoredDecision & {
      id: number;
      supersedes: number | null;
      program: string;
      household_id: string;
      recipient_person_id: string | null;
      previous_recipient: string | null;
      previous_amount: number | null;
      head: string | null;
      declined: boolean;
      household_declined: boolean;
    }
  >`
    select d.id, d.supersedes, d.decision_id, d.program, d.household_id, d.change_kind, d.outcome, d.amount_yen, d.period_kind, d.effective_from,
           d.explanation, d.explanation_text, d.rule_version, d.engine_version, d.as_of, d.recipient_person_id,
           p.recipient_person_id as previous_recipient, p.amount_yen as previous_amount, d.head_person_id as head,
           ${declinedSql('d.explanation')} as declined,
           coalesce((select ${declinedSql('l.explanation')} from decisions l
             where l.municipality_code = d.municipality_code and l.program = d.program and l.household_id = d.household_id
             order by l.effective_from desc, l.id desc limit 1), false) as household_declined
    from decisions d left join decisions p on p.id = d.supersedes
    where d.id = any(${ids}::bigint[])`.execute(trx);
  const rows = await withFullExplanations(trx, stored);
  const engineSteps = await overriddenSteps(trx, rows);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const letters = groups.flatMap((group) => {
    const wanted = group.flatMap((id) => {
      const d = byId.get(id);
      if (!d || d.declined || d.household_declined) return [];
      const program = input.programs.get(d.program);
      const kind = program && noticeKindFor(d, program);
      const person = d.recipient_person_id ?? d.previous_recipient ?? d.head;
      return program && kind && person ? [{ d, program, kind, person }] : [];
    });
    if (wanted.length === 0) return [];
    const last = wanted[wanted.length - 1];
    // A benefit granted and then changed in the same run is one 認定 with its amounts by month.
    const kind = last.kind === '額の変更' && wanted.some((w) => w.kind === '支給決定') ? '支給決定' : last.kind;
    return [{ ...last, kind, earlier: wanted.slice(0, -1).map((w) => w.d) }];
  });
  if (letters.length === 0) return 0;
  const accountRequests = await accountRequestsOf(trx, input, letters.map((l) => ({ program: l.d.program, household: l.d.household_id })));
  const people = letters.flatMap((l) => [l.person, ...[...l.d.explanation.amount.steps, ...(engineSteps.get(Number(l.d.supersedes)) ?? [])].flatMap((s) => (s.person_id ? [s.person_id] : []))]);
  const persons = await recipients(trx, m, people, input.settings);
  const { byPerson, failed } = await accountsOf(trx, m, letters.map((w) => w.person));
  const paidNow = await paidOn(trx, m, letters.map((l) => l.d.household_id), input.paymentDates);
  // Once per chunk: built per letter, it cost a copy of the chunk's names for each of ~2,000 letters.
  const names = new Map([...persons].map(([id, p]) => [id, p.name]));
  const notices: NewNotice[] = [];
  for (const { d, program, kind, person, earlier } of letters) {
    const recipient = persons.get(person);
    if (!recipient) continue;
    const account = usableAccount(byPerson.get(person) ?? [], failed);
    const paymentDate = input.paymentDates.get(d.program);
    const raised = kind === '支給決定' || (kind === '額の変更' && d.amount_yen > (d.previous_amount ?? 0));
    const from = earlier[0]?.effective_from ?? d.effective_from;
    const content = decisionNotice({
      ...common(input, program, recipient),
      decision: { ...d, explanation: d.explanation as Explanation },
      earlier,
      kind,
      paymentDate,
      paidNow: paidNow.get(`${d.program}|${d.household_id}`),
      accountState: { account, requestEnclosed: accountRequests.has(`${d.program}|${d.household_id}`) },
      names,
      lapsed: raised && paymentDate ? lapsedMonthsOf(input, program, from, paymentDate) : [],
      previousAmountYen: earlier.length ? undefined : d.previous_amount,
      engineSteps: engineSteps.get(Number(d.supersedes)),
    });
    notices.push({ content, program: d.program, household_id: d.household_id, person_id: person, decision_id: d.decision_id, review_item_id: null });
  }
  return insertNotices(trx, input, notices);
}

/**
 * 口座登録のお願い this run sends (items of these households still without a letter): a 決定
 * letter of the same program and household says it is enclosed, and the two go in one envelope.
 * As 'program|household'.
 */
async function accountRequestsOf(trx: Transaction<DB>, input: CreateNoticesInput, letters: { program: string; household: string }[]): Promise<Set<string>> {
  const pairs = [...new Map(letters.map((l) => [`${l.program}|${l.household}`, l])).values()];
  // Each letter's program and household looked up through their index (LATERAL … OFFSET 0): with
  // `household_id = any(…)` the planner read every open missing-account item of the municipality
  // (62,000 at 450,000 households) and searched the chunk's list for each, about 1 s a chunk.
  const { rows } = await sql<{ program: string; household_id: string }>`
    select r.program, r.household_id
    from unnest(${pairs.map((p) => p.program)}::text[], ${pairs.map((p) => p.household)}::text[]) as l(program, household_id)
    cross join lateral (
      select i.id, i.program, i.household_id from review_items i
      where i.municipality_code = ${input.municipalityCode} and i.program = l.program and i.household_id = l.household_id
        and i.kind = 'missing_account' and i.status = 'open'
      offset 0
    ) r
    where not exists (select from notices n where n.review_item_id = r.id)
       or exists (select from notices n where n.review_item_id = r.id and n.batch_run_id = ${input.runId})`.execute(trx);
  return new Set(rows.map((r) => `${r.program}|${r.household_id}`));
}

/** The letters of a run besides its decisions' (see createDecisionNotices), after those. Returns how many are new. */
export async function createOtherNotices(db: Kysely<DB>, input: CreateNoticesInput): Promise<number> {
  let created = 0;
  const items = await db
    .selectFrom('review_items')
    .select(['id', 'kind', 'item_key', 'program', 'household_id', 'person_id', 'amount_yen', 'period_start', sql<string | null>`detail ->> 'period_end'`.as('period_end')])
    .where('municipality_code', '=', input.municipalityCode)
    .where('kind', 'in', ['missing_account', 'recovery'])
    .where('status', '=', 'open')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('notices').select('notices.id').whereRef('notices.review_item_id', '=', 'review_items.id'))))
    .orderBy('id')
    .execute();
  const declinedItems = await declinedHouseholds(db, input.municipalityCode, items);
  for (let i = 0; i < items.length; i += PAGE) {
    const page = items.slice(i, i + PAGE).filter((item) => !declinedItems.has(`${item.program}|${item.household_id}`));
    const persons = await recipients(db, input.municipalityCode, page.map((p) => p.person_id!), input.settings);
    const staffReasons = await staffReasonsOf(db, input.municipalityCode, page.filter((item) => item.kind === 'recovery'));
    const notices: NewNotice[] = [];
    for (const item of page) {
      const program = input.programs.get(item.program);
      const recipient = persons.get(item.person_id!);
      if (!program || !recipient) continue;
      const content = reviewItemNotice({ ...common(input, program, recipient), item: item as NoticeReviewItem, staffReason: staffReasons.get(`${item.program}|${item.household_id}`) });
      notices.push({ content, program: item.program, household_id: item.household_id, person_id: item.person_id!, decision_id: null, review_item_id: item.id });
    }
    created += await db.transaction().execute((trx) => insertNotices(trx, input, notices));
  }
  const requests = await db
    .selectFrom('review_actions as a')
    .innerJoin('review_items as r', 'r.id', 'a.review_item_id')
    .select(['a.id', 'a.reason', 'r.id as item_id', 'r.program', 'r.household_id', 'r.person_id'])
    .where('a.municipality_code', '=', input.municipalityCode)
    .where('a.action', '=', 'request_info')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('notices').select('notices.id').whereRef('notices.review_action_id', '=', 'a.id'))))
    .orderBy('a.id')
    .execute();
  const asked = await recipients(db, input.municipalityCode, requests.flatMap((r) => (r.person_id ? [r.person_id] : [])), input.settings);
  const declinedRequests = await declinedHouseholds(db, input.municipalityCode, requests);
  const letters: NewNotice[] = [];
  for (const r of requests) {
    if (declinedRequests.has(`${r.program}|${r.household_id}`)) continue;
    const program = input.programs.get(r.program);
    const recipient = r.person_id ? asked.get(r.person_id) : undefined;
    if (!program || !recipient) continue;
    const content = informationRequestNotice({ ...common(input, program, recipient), actionId: r.id, request: r.reason ?? '' });
    letters.push({ content, program: r.program, household_id: r.household_id, person_id: r.person_id!, decision_id: null, review_item_id: r.item_id, review_action_id: r.id });
  }
  created += await db.transaction().execute((trx) => insertNotices(trx, input, letters));
  created += await createConfirmationRequests(db, input);
  return created;
}

/**
 * The decisions to notify, grouped by household and program (ids, oldest first): one letter
 * per group, so a household gets one 児童手当 letter from a run that decided it twice. A chain's
 * decisions up to the last one already notified are left out, so a run resumed after its
 * notices were made finds nothing more (a letter's row names the last decision of its group).
 */
export async function decisionGroups(db: Kysely<DB>, input: CreateNoticesInput): Promise<number[][]> {
  const { rows } = await sql<{ id: number; household_id: string; program: string; notified: boolean }>`
    select d.id, d.household_id, d.program, exists (select from notices n where n.decision_id = d.decision_id) as notified
    from decisions d
    where d.municipality_code = ${input.municipalityCode} and d.known_at > ${input.since} and d.outcome <> 'review'
    order by d.household_id, d.program, d.id`.execute(db);
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const key = `${r.household_id}\0${r.program}`;
    if (r.notified) groups.set(key, []);
    else groups.set(key, [...(groups.get(key) ?? []), Number(r.id)]);
  }
  return [...groups.values()].filter((g) => g.length > 0);
}

/** What each (program, household) is paid on the program's payment date of this run, with the months paid for. */
async function paidOn(db: Kysely<DB>, m: string, households: string[], dates: Map<string, string>): Promise<Map<string, { amountYen: number; periodStarts: string[] }>> {
  const out = new Map<string, { amountYen: number; periodStarts: string[] }>();
  if (households.length === 0 || dates.size === 0) return out;
  // Each household looked up by index, for the programs paying this run (lines of others are not
  // counted below): with `household_id = any(…)` alone, PostgreSQL scanned every line of the
  // municipality for each chunk of letters (90–370 ms at 450,000 households; 13–17 ms so).
  const { rows: lines } = await sql<{ program: string; household_id: string; payment_date: string; period_start: string; period_end: string; amount_yen: number }>`
    select l.program, l.household_id, l.payment_date, l.period_start, l.period_end, l.amount_yen
    from unnest(${[...new Set(households)]}::text[]) as h(household_id)
    cross join lateral (
      select program, household_id, payment_date, period_start, period_end, amount_yen from payment_lines
      where municipality_code = ${m} and program = any(${[...dates.keys()]}::text[]) and household_id = h.household_id
        and status <> 'cancelled' and kind <> 'reissue'
      offset 0
    ) l`.execute(db);
  for (const l of lines) {
    if (dates.get(l.program) !== l.payment_date) continue;
    const key = `${l.program}|${l.household_id}`;
    const paid = out.get(key) ?? { amountYen: 0, periodStarts: [] };
    paid.amountYen += l.amount_yen;
    // A line pays for a period of months (児童手当: the 2 months before the payment month).
    for (let month = l.period_start.slice(0, 7); month <= l.period_end.slice(0, 7); month = nextMonth(month)) paid.periodStarts.push(`${month}-01`);
    out.set(key, paid);
  }
  return out;
}

/** 2024-12 → 2025-01 */
function nextMonth(yyyyMm: string): string {
  const [y, mo] = yyyyMm.split('-').map(Number);
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
}

/** The months 時効 leaves unpaid of a benefit decided from `from`, paid on `paymentDate`. */
function lapsedMonthsOf(input: CreateNoticesInput, program: ProgramSpec, from: string, paymentDate: string): Period[] {
  const prescription = program.payment.prescription;
  if (program.period_kind !== 'monthly' || !prescription) return [];
  return lapsedPeriods(monthlySchedule(program.payment.schedule), from, paymentDate, { years: prescription.years, paymentDay: input.settings.payment_day });
}

/**
 * The staff decision's reason where the latest decision of a (program, household) was made by
 * staff (an override): a 返還 it causes is explained by it, not by a correction of the records.
 */
async function staffReasonsOf(db: Kysely<DB>, m: string, of: { program: string; household_id: string }[]): Promise<Map<string, string>> {
  if (of.length === 0) return new Map();
  const { rows } = await sql<{ program: string; household_id: string; reason: string | null }>`
    select distinct on (program, household_id) program, household_id, case when decided_by is not null then explanation -> 'staff' ->> 'reason' end as reason
    from decisions
    where municipality_code = ${m} and household_id = any(${[...new Set(of.map((o) => o.household_id))]}::text[])
      and program = any(${[...new Set(of.map((o) => o.program))]}::text[])
    order by program, household_id, id desc`.execute(db);
  return new Map(rows.flatMap((r) => (r.reason ? [[`${r.program}|${r.household_id}`, r.reason] as const] : [])));
}

/** The (program, household) pairs whose latest decision records a 辞退, as 'program|household'. */
async function declinedHouseholds(db: Kysely<DB>, m: string, of: { program: string; household_id: string }[]): Promise<Set<string>> {
  if (of.length === 0) return new Set();
  const { rows } = await sql<{ program: string; household_id: string }>`
    select program, household_id from (
      select distinct on (program, household_id) program, household_id, ${declinedSql('explanation')} as declined
      from decisions
      where municipality_code = ${m} and household_id = any(${[...new Set(of.map((o) => o.household_id))]}::text[])
        and program = any(${[...new Set(of.map((o) => o.program))]}::text[])
      order by program, household_id, effective_from desc, id desc
    ) latest where declined`.execute(db);
  return new Set(rows.map((r) => `${r.program}|${r.household_id}`));
}

/**
 * A 確認書 request for every household whose new decision waits for one (outcome review, the
 * condition supported_student_confirmation unknown, its value the children's person ids), once
 * per household and set of children: the notice id comes from them, so a later decision that
 * waits for the same 確認書 asks nothing again.
 */
async function createConfirmationRequests(db: Kysely<DB>, input: CreateNoticesInput): Promise<number> {
  let created = 0;
  for (let after = 0; ; ) {
    const { rows } = await sql<{ id: number; decision_id: string; program: string; household_id: string; recipient_person_id: string | null; head: string | null; children: unknown }>`
      select d.id, d.decision_id, d.program, d.household_id, d.recipient_person_id,
             d.head_person_id as head,
             jsonb_path_query_first(d.explanation, '$.conditions[*] ? (@.id == $id && @.result == null).value', jsonb_build_object('id', ${SUPPORTED_STUDENT_CONFIRMATION}::text)) as children
      from decisions d
      where d.municipality_code = ${input.municipalityCode} and d.known_at > ${input.since} and d.id > ${after}
        and d.outcome = 'review'
        and jsonb_path_exists(d.explanation, '$.conditions[*] ? (@.id == $id && @.result == null)', jsonb_build_object('id', ${SUPPORTED_STUDENT_CONFIRMATION}::text))
        and not exists (select from notices n where n.decision_id = d.decision_id)
      order by d.id limit ${PAGE}`.execute(db);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    const declined = await declinedHouseholds(db, input.municipalityCode, rows);
    const wanted = rows.flatMap((d) => {
      const program = input.programs.get(d.program);
      const person = d.recipient_person_id ?? d.head;
      const children = (Array.isArray(d.children) ? d.children : [d.children]).filter((c): c is string => typeof c === 'string' && c !== '');
      return program && person && children.length > 0 && !declined.has(`${d.program}|${d.household_id}`) ? [{ d, program, person, children }] : [];
    });
    const persons = await recipients(db, input.municipalityCode, wanted.flatMap((w) => [w.person, ...w.children]), input.settings);
    const notices = new Map<string, NewNotice>();
    for (const { d, program, person, children } of wanted) {
      const recipient = persons.get(person);
      const named = children.map((id) => ({ personId: id, name: persons.get(id)?.name })).filter((c): c is { personId: string; name: string } => c.name !== undefined);
      if (!recipient || named.length === 0) continue;
      const content = confirmationRequestNotice({ ...common(input, program, recipient), householdId: d.household_id, children: named });
      if (!notices.has(content.noticeId)) {
        notices.set(content.noticeId, { content, program: d.program, household_id: d.household_id, person_id: person, decision_id: d.decision_id, review_item_id: null });
      }
    }
    created += await db.transaction().execute((trx) => insertNotices(trx, input, [...notices.values()]));
  }
  return created;
}

function common(input: CreateNoticesInput, program: ProgramSpec, recipient: NoticeRecipient) {
  return { municipalityCode: input.municipalityCode, issuedOn: input.issuedOn, settings: input.settings, program, recipient };
}

async function recipients(db: Kysely<DB>, m: string, ids: string[], municipality: MunicipalitySettings): Promise<Map<string, NoticeRecipient>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('persons')
    .select(['person_id', 'family_name', 'given_name', 'postal_code', 'address'])
    .where('municipality_code', '=', m)
    .where('person_id', '=', sql<string>`any(${[...new Set(ids)]}::text[])`)
    .execute();
  return new Map(
    rows.map((p) => [
      p.person_id,
      { name: `${p.family_name} ${p.given_name}`, address: fullAddress(p.address, municipality), postalCode: p.postal_code ? `${p.postal_code.slice(0, 3)}-${p.postal_code.slice(3)}` : null },
    ]),
  );
}

async function insertNotices(trx: Transaction<DB>, input: CreateNoticesInput, notices: NewNotice[]): Promise<number> {
  if (notices.length === 0) return 0;
  const rows = await trx
    .insertInto('notices')
    .values(
      notices.map((n) => ({
        notice_id: n.content.noticeId,
        municipality_code: input.municipalityCode,
        kind: n.content.kind,
        program: n.program,
        household_id: n.household_id,
        person_id: n.person_id,
        decision_id: n.decision_id,
        review_item_id: n.review_item_id,
        review_action_id: n.review_action_id ?? null,
        batch_run_id: input.runId,
        issued_on: input.issuedOn,
        content: JSON.stringify(n.content),
      })),
    )
    .onConflict((c) => c.column('notice_id').doNothing())
    .returning(['id', 'notice_id', 'program'])
    .execute();
  const symbol = (program: string) => input.programs.get(program)?.notice?.document_symbol ?? '';
  await numberLetters(trx, input.municipalityCode, input.issuedOn, rows.map((r) => ({ id: r.id, noticeId: r.notice_id, symbol: symbol(r.program) })));
  return rows.length;
}

/**
 * The engine's amount steps of the decisions staff overrode (the one a staff decision
 * supersedes), by id: a staff amount's letter still names the children the engine counted.
 */
async function overriddenSteps(db: Kysely<DB>, rows: { supersedes: number | null; explanation: Explanation }[]): Promise<Map<number, AmountStep[]>> {
  const ids = rows.filter((r) => r.supersedes !== null && r.explanation.amount.steps.some((s) => s.component === 'staff')).map((r) => Number(r.supersedes));
  const out = new Map<number, AmountStep[]>();
  if (ids.length === 0) return out;
  const prior = await db.selectFrom('decisions').selectAll().where('id', 'in', ids).execute();
  for (const p of await withFullExplanations(db, prior as unknown as (StoredDecision & { id: number })[])) out.set(Number(p.id), p.explanation.amount.steps);
  return out;
}
