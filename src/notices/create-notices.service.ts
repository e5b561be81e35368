import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Explanation } from '../engine/evaluate-household.ts';
import type { MunicipalitySettings } from '../municipalities/municipality-settings.ts';
import { usableAccount } from '../payments/create-payments.service.ts';
import { accountsOf } from '../payments/payment.repository.ts';
import type { ProgramSpec } from '../rules/program-schema.ts';
import { decisionNotice, informationRequestNotice, noticeKindFor, reviewItemNotice, type NoticeDecision, type NoticeReviewItem } from './notice-builder.ts';
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

/**
 * Creates the notice (content as data, to be rendered by the notices worker) of every decision
 * that needs one, every recovery or missing-account item and every request for information
 * staff made, once each: the notice id comes from its source, so a re-run inserts nothing.
 * Staff decisions are notified like the engine's. Returns how many are new.
 */
export async function createNotices(db: Kysely<DB>, input: CreateNoticesInput): Promise<number> {
  let created = 0;
  for (let after = 0; ; ) {
    const { rows } = await sql<NoticeDecision & { id: number; program: string; household_id: string; recipient_person_id: string | null; previous_recipient: string | null; head: string | null }>`
      select d.id, d.decision_id, d.program, d.household_id, d.change_kind, d.outcome, d.amount_yen, d.period_kind, d.effective_from,
             d.explanation, d.recipient_person_id, p.recipient_person_id as previous_recipient,
             (select m ->> 'person_id' from jsonb_array_elements(d.inputs -> 'members') m where m ->> 'relationship' = '世帯主' limit 1) as head
      from decisions d left join decisions p on p.id = d.supersedes
      where d.municipality_code = ${input.municipalityCode} and d.known_at > ${input.since} and d.id > ${after}
        and d.outcome <> 'review'
        and not exists (select from notices n where n.decision_id = d.decision_id)
      order by d.id limit ${PAGE}`.execute(db);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    const wanted = rows.flatMap((d) => {
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
      const content = decisionNotice({
        ...common(input, program, recipient),
        decision: { ...d, explanation: d.explanation as Explanation },
        kind,
        paymentDate: input.paymentDates.get(d.program),
        account,
      });
      notices.push({ content, program: d.program, household_id: d.household_id, person_id: person, decision_id: d.decision_id, review_item_id: null });
    }
    created += await insertNotices(db, input, notices);
  }

  const items = await db
    .selectFrom('review_items')
    .select(['id', 'kind', 'program', 'household_id', 'person_id', 'amount_yen', 'period_start', sql<string | null>`detail ->> 'period_end'`.as('period_end')])
    .where('municipality_code', '=', input.municipalityCode)
    .where('kind', 'in', ['missing_account', 'recovery'])
    .where('status', '=', 'open')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('notices').select('notices.id').whereRef('notices.review_item_id', '=', 'review_items.id'))))
    .orderBy('id')
    .execute();
  for (let i = 0; i < items.length; i += PAGE) {
    const page = items.slice(i, i + PAGE);
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
  const letters: NewNotice[] = [];
  for (const r of requests) {
    const program = input.programs.get(r.program);
    const recipient = r.person_id ? asked.get(r.person_id) : undefined;
    if (!program || !recipient) continue;
    const content = informationRequestNotice({ ...common(input, program, recipient), actionId: r.id, request: r.reason ?? '' });
    letters.push({ content, program: r.program, household_id: r.household_id, person_id: r.person_id!, decision_id: null, review_item_id: r.item_id, review_action_id: r.id });
  }
  created += await insertNotices(db, input, letters);
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
