import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Explanation } from '../engine/evaluate-household.ts';
import type { MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import { usableAccount } from '../payments/create-payments.service.ts';
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
import type { NoticeContent, NoticeRecipient } from './notice-content.ts';

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

/**
 * Creates the notice (content as data, to be rendered by the notices worker) of every decision
 * that needs one, every recovery or missing-account item, every request for information staff
 * made and every 確認書 a decision waits for, once each: the notice id comes from its source,
 * so a re-run inserts nothing. Staff decisions are notified like the engine's. Nothing is
 * written for a program a household declined (辞退): not the decision that records it, nor
 * anything else while its latest decision is declined. Returns how many are new.
 */
export async function createNotices(db: Kysely<DB>, input: CreateNoticesInput): Promise<number> {
  let created = 0;
  for (let after = 0; ; ) {
    const { rows } = await sql<
      NoticeDecision & {
        id: number;
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
      select d.id, d.decision_id, d.program, d.household_id, d.change_kind, d.outcome, d.amount_yen, d.period_kind, d.effective_from,
             d.explanation, d.recipient_person_id, p.recipient_person_id as previous_recipient, p.amount_yen as previous_amount,
             (select m ->> 'person_id' from jsonb_array_elements(d.inputs -> 'members') m where m ->> 'relationship' = '世帯主' limit 1) as head,
             ${declinedSql('d.explanation')} as declined,
             coalesce((select ${declinedSql('l.explanation')} from decisions l
               where l.municipality_code = d.municipality_code and l.program = d.program and l.household_id = d.household_id
               order by l.effective_from desc, l.id desc limit 1), false) as household_declined
      from decisions d left join decisions p on p.id = d.supersedes
      where d.municipality_code = ${input.municipalityCode} and d.known_at > ${input.since} and d.id > ${after}
        and d.outcome <> 'review'
        and not exists (select from notices n where n.decision_id = d.decision_id)
      order by d.id limit ${PAGE}`.execute(db);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    const wanted = rows.flatMap((d) => {
      if (d.declined || d.household_declined) return [];
      const program = input.programs.get(d.program);
      const kind = program && noticeKindFor(d, program);
      const person = d.recipient_person_id ?? d.previous_recipient ?? d.head;
      return program && kind && person ? [{ d, program, kind, person }] : [];
    });
    const persons = await recipients(db, input.municipalityCode, wanted.map((w) => w.person));
    const { byPerson, failed } = await accountsOf(db, input.municipalityCode, wanted.map((w) => w.person));
    const notices: NewNotice[] = [];
    for (const { d, program, kind, person } of wanted) {
      const recipient = persons.get(person);
      if (!recipient) continue;
      const account = usableAccount(byPerson.get(person) ?? [], failed);
      const paymentDate = input.paymentDates.get(d.program);
      const raised = kind === '支給決定' || (kind === '額の変更' && d.amount_yen > (d.previous_amount ?? 0));
      const content = decisionNotice({
        ...common(input, program, recipient),
        decision: { ...d, explanation: d.explanation as Explanation },
        kind,
        paymentDate,
        account,
        lapsed: raised && paymentDate ? lapsedMonthsOf(input, program, d.effective_from, paymentDate) : [],
      });
      notices.push({ content, program: d.program, household_id: d.household_id, person_id: person, decision_id: d.decision_id, review_item_id: null });
    }
    created += await insertNotices(db, input, notices);
  }

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
    const persons = await recipients(db, input.municipalityCode, page.map((p) => p.person_id!));
    const notices: NewNotice[] = [];
    for (const item of page) {
      const program = input.programs.get(item.program);
      const recipient = persons.get(item.person_id!);
      if (!program || !recipient) continue;
      const content = reviewItemNotice({ ...common(input, program, recipient), item: item as NoticeReviewItem });
      notices.push({ content, program: item.program, household_id: item.household_id, person_id: item.person_id!, decision_id: null, review_item_id: item.id });
    }
    created += await insertNotices(db, input, notices);
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
  const asked = await recipients(db, input.municipalityCode, requests.flatMap((r) => (r.person_id ? [r.person_id] : [])));
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
  created += await insertNotices(db, input, letters);
  created += await createConfirmationRequests(db, input);
  return created;
}

/** The months 時効 leaves unpaid of a benefit decided from `from`, paid on `paymentDate`. */
function lapsedMonthsOf(input: CreateNoticesInput, program: ProgramSpec, from: string, paymentDate: string): Period[] {
  const prescription = program.payment.prescription;
  if (program.period_kind !== 'monthly' || !prescription) return [];
  return lapsedPeriods(monthlySchedule(program.payment.schedule), from, paymentDate, { years: prescription.years, paymentDay: input.settings.payment_day });
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
             (select m ->> 'person_id' from jsonb_array_elements(d.inputs -> 'members') m where m ->> 'relationship' = '世帯主' limit 1) as head,
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
    const persons = await recipients(db, input.municipalityCode, wanted.flatMap((w) => [w.person, ...w.children]));
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
    created += await insertNotices(db, input, [...notices.values()]);
  }
  return created;
}

function common(input: CreateNoticesInput, program: ProgramSpec, recipient: NoticeRecipient) {
  return { municipalityCode: input.municipalityCode, issuedOn: input.issuedOn, settings: input.settings, program, recipient };
}

async function recipients(db: Kysely<DB>, m: string, ids: string[]): Promise<Map<string, NoticeRecipient>> {
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
      { name: `${p.family_name} ${p.given_name}`, address: p.address, postalCode: p.postal_code ? `${p.postal_code.slice(0, 3)}-${p.postal_code.slice(3)}` : null },
    ]),
  );
}

async function insertNotices(db: Kysely<DB>, input: CreateNoticesInput, notices: NewNotice[]): Promise<number> {
  if (notices.length === 0) return 0;
  const rows = await db
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
    .returning('id')
    .execute();
  return rows.length;
}
