import type { FastifyInstance } from 'fastify';
import type { IngestContext } from '../../changes/import.service.ts';
import { CIRCUMSTANCES } from '../../changes/record-schemas.ts';
import { accessLogForStaff, checkedPurpose, PURPOSES } from '../../review/access-log.service.ts';
import { householdView, PAGE_SIZE, programNames, searchPersons } from '../../review/case-reads.service.ts';
import { recordCircumstance } from '../../review/circumstance.service.ts';
import { roleAtLeast, type Session } from '../../staff/staff.service.ts';
import { UnusableInputError } from '../../errors.ts';
import { formField, pageParam } from '../input.ts';
import { pageErrorText } from './error-text.ts';
import { staffOnly } from '../session-auth.ts';
import { csrfField, date, dateTime, html, label, money, page, type Html } from './html.ts';
import { changeText, itemSection, itemState, purposeChooser } from './review.page.ts';

/**
 * A household's page with its timeline and its members' circumstances (a reviewer records one
 * there), search by 宛名番号 or kana, and a person's access log.
 */
export function householdPages(app: FastifyInstance, ctx: IngestContext): void {
  const { db } = ctx;
  const viewer = staffOnly(db);

  app.post<{ Params: { id: string }; Body: unknown }>('/households/:id/circumstances', { ...staffOnly(db, 'reviewer'), schema: { hide: true } }, async (request, reply) => {
    const b = request.body;
    const purpose = checkedPurpose(formField(b, 'purpose'));
    await recordCircumstance(
      ctx,
      request.session!.user,
      {
        person_id: formField(b, 'person_id', 64) ?? '',
        circumstance: formField(b, 'circumstance', 64) ?? '',
        active: formField(b, 'active', 16) ?? '',
        program: formField(b, 'program', 200) || null,
        effective_date: formField(b, 'effective_date', 32) ?? '',
        note: formField(b, 'note', 2000) || null,
      },
      purpose,
      request.params.id,
    );
    return reply.redirect(`/households/${encodeURIComponent(request.params.id)}?purpose=${purpose}&recorded=1#circumstances`, 303);
  });

  app.get<{ Params: { id: string }; Querystring: { purpose?: string; done?: string; recorded?: string } }>('/households/:id', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    if (!request.query.purpose) return reply.type('text/html').send(purposeChooser(request, '世帯の表示'));
    const purpose = checkedPurpose(request.query.purpose);
    const [v, programs] = await Promise.all([householdView(db, request.session!.user, request.params.id, purpose), programNames(db, request.session!.user)]);
    const back = `/households/${encodeURIComponent(v.household_id)}?purpose=${purpose}`;
    // The programs that pay monthly, as their decisions say: an override's amount on them is a 月額.
    const monthly = new Set(v.decisions.filter((d) => d.period_kind === 'monthly').map((d) => d.program));
    // What the office recorded, by when it was recorded (a moment), apart from the payments and
    // letters, which are dated by the day they are paid or issued: one list mixing the two read
    // a payment date as if it were the time something happened.
    const recorded = [
      ...v.decisions.map((d) => ({ at: d.decided_at, what: html`決定 <a href="/decisions/${encodeURIComponent(d.decision_id)}?purpose=${purpose}">${d.decision_id}</a>`, detail: html`${programs.get(d.program) ?? d.program}：${label('outcome', d.outcome)}（${changeText(d)}）${d.period_kind === 'monthly' ? ' 月額' : ' '}${money(d.amount_yen)}、${date(d.effective_from)}から` })),
      ...v.items.map((i) => ({ at: i.created_at, what: html`<a href="#item-${i.id}">審査項目 ${i.id}</a>`, detail: html`${programs.get(i.program) ?? i.program}：${label('kind', i.kind)}（${itemState(i, v.actions)}）` })),
    ].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
    // The access log links carry this page's purpose (a clerk reviewing reads the log for the
    // review): never a 開示請求 nobody asked for; a disclosure starts from the log page's own prompt.
    const body = html`
${request.query.done ? html`<p class="notice" role="status">「${label('action', request.query.done)}」を記録しました。次の夜間処理で支払と通知に反映されます。</p>` : ''}
${request.query.recorded ? html`<p class="notice" role="status">状況を記録しました。次の夜間処理で判定に反映されます。</p>` : ''}
<h2>世帯員（現在）</h2>
<table><thead><tr><th>宛名番号</th><th>氏名</th><th>フリガナ</th><th>続柄</th><th>生年月日</th><th>住所</th><th>状態</th><th></th></tr></thead><tbody>
${v.members.map((m) => html`<tr><td>${m.person_id}</td><td>${m.family_name} ${m.given_name}</td><td>${m.family_name_kana} ${m.given_name_kana}</td><td>${m.relationship}</td><td>${date(m.birth_date)}</td>
<td>${m.postal_code ? `〒${m.postal_code.slice(0, 3)}-${m.postal_code.slice(3)} ` : ''}${m.address}</td><td>${label('residentStatus', m.status)}</td>
<td><a href="/persons/${encodeURIComponent(m.person_id)}/access-log?purpose=${purpose}">アクセス記録</a></td></tr>`)}
</tbody></table>
${circumstancesSection(v, request.session!, purpose, programs)}
<h2>経過（記録日時の新しい順）</h2>
<table><thead><tr><th>記録日時</th><th>出来事</th><th>内容</th></tr></thead><tbody>
${recorded.map((e) => html`<tr><td>${dateTime(e.at)}</td><td>${e.what}</td><td>${e.detail}</td></tr>`)}
</tbody></table>
<h2>支払（支払日の新しい順）</h2>
${v.payments.length === 0 ? html`<p>ありません。</p>` : html`<table><thead><tr><th>支払日</th><th>制度</th><th>対象期間の初日</th><th>金額</th><th>状態</th></tr></thead><tbody>
${[...v.payments].reverse().map((l) => html`<tr><td>${date(l.payment_date)}</td><td>${programs.get(l.program) ?? l.program}</td><td>${date(l.period_start)}</td><td class="num">${money(l.amount_yen)}</td><td>${label('line', l.status)}</td></tr>`)}
</tbody></table>`}
<h2>通知（発行日の新しい順）</h2>
${v.notices.length === 0 ? html`<p>ありません。</p>` : html`<table><thead><tr><th>発行日</th><th>制度</th><th>通知番号</th><th>種類</th></tr></thead><tbody>
${[...v.notices].reverse().map((n) => html`<tr><td>${date(n.issued_on)}</td><td>${programs.get(n.program) ?? n.program}</td><td>${n.notice_id}</td><td>${n.kind}</td></tr>`)}
</tbody></table>`}
<h2>審査項目</h2>
${v.items.length === 0 ? html`<p>ありません。</p>` : v.items.map((i) => itemSection(i, v.actions, request.session!, back, monthly.has(i.program)))}`;
    return reply.type('text/html').send(page(`世帯 ${v.household_id}`, request.session, body));
  });

  app.get<{ Querystring: { q?: string; address?: string; birth_date?: string; purpose?: string; page?: string } }>('/search', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    const q = request.query;
    const text = (name: 'q' | 'address' | 'birth_date') => (typeof q[name] === 'string' ? q[name].slice(0, 200) : '');
    const given = { q: text('q'), address: text('address'), birth_date: text('birth_date') };
    const asked = Object.values(given).some((v) => v.trim() !== '');
    const purpose = asked && q.purpose ? checkedPurpose(q.purpose) : undefined;
    // A search staff typed wrong (a date that is no date, nothing to search for) is said above the
    // form they typed it in, which keeps what they typed.
    let refused: string | undefined;
    const result = purpose
      ? await searchPersons(db, request.session!.user, { ...given, page: pageParam(q.page) }, purpose).catch((error: unknown) => {
        if (!(error instanceof UnusableInputError)) throw error;
        refused = pageErrorText(error) ?? '入力内容を確認してください。';
        return undefined;
      })
      : undefined;
    const link = (p: number) => `/search?${new URLSearchParams({ ...given, purpose: purpose ?? 'counter', page: String(p) })}`;
    const body = html`${refused ? html`<p class="error" role="alert">${refused}</p>` : ''}
<form method="get" action="/search"><fieldset><legend>住民を検索（入力した条件すべてに当てはまる方。氏名は漢字・ひらがな・カタカナのどれでも、異体字・半角・空白の違いは問いません）</legend>
<label>氏名または宛名番号 <input name="q" value="${given.q}" placeholder="例: 山本 太郎、やまもと、ﾔﾏﾓﾄ" autofocus></label>
<label>住所（一部） <input name="address" value="${given.address}" placeholder="例: 中央1丁目"></label>
<label>生年月日 <input name="birth_date" value="${given.birth_date}" placeholder="例: 昭和60年4月1日、1985-04-01"></label>
<label>閲覧の目的 <select name="purpose" required>${Object.entries(PURPOSES).map(([k, v]) => html`<option value="${k}"${k === (purpose ?? 'counter') ? html` selected` : ''}>${v}</option>`)}</select></label>
<button>検索</button></fieldset></form>
${result === undefined ? '' : result.total === 0 ? html`<p>該当する住民はいません。</p>` : html`<p role="status">${result.total.toLocaleString('ja-JP')}件（${result.page} / ${result.pages}ページ、1ページ${PAGE_SIZE}件）</p>
<table><thead><tr><th>宛名番号</th><th>氏名</th><th>フリガナ</th><th>生年月日</th><th>住所</th><th>状態</th><th>世帯</th></tr></thead><tbody>
${result.rows.map((r) => html`<tr><td>${r.person_id}</td><td>${r.family_name} ${r.given_name}</td><td>${r.family_name_kana} ${r.given_name_kana}</td><td>${date(r.birth_date)}</td>
<td>${r.postal_code ? `〒${r.postal_code.slice(0, 3)}-${r.postal_code.slice(3)} ` : ''}${r.address}</td><td>${label('residentStatus', r.status)}</td>
<td><a href="/households/${encodeURIComponent(r.household_id)}?purpose=${purpose}">${r.household_id}</a></td></tr>`)}
</tbody></table>
<nav class="noprint">${result.page > 1 ? html`<a href="${link(result.page - 1)}" rel="prev">前のページ</a> ` : ''}${result.page < result.pages ? html`<a href="${link(result.page + 1)}" rel="next">次のページ</a>` : ''}</nav>`}`;
    return reply.code(refused ? 400 : 200).type('text/html').send(page('住民検索', request.session, body));
  });

  app.get<{ Params: { id: string }; Querystring: { purpose?: string } }>('/persons/:id/access-log', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    if (!request.query.purpose) return reply.type('text/html').send(purposeChooser(request, 'アクセス記録'));
    const entries = await accessLogForStaff(db, request.session!.user, request.params.id, checkedPurpose(request.query.purpose));
    const body = html`<p>宛名番号 ${request.params.id} の方の個人情報を、職員がいつ、誰が、何を、何のために閲覧したかの記録です（${dateTime(new Date())} 現在、${entries.length}件）。</p>
<table><thead><tr><th>日時</th><th>職員</th><th>役割</th><th>閲覧した内容</th><th>目的</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${dateTime(e.accessed_at)}</td><td>${e.staff_login}</td><td>${label('role', e.staff_role)}</td><td>${e.what}</td><td>${e.purpose_ja}</td></tr>`)}
</tbody></table>
<p class="noprint"><button type="button" data-print>印刷する</button></p>`;
    return reply.type('text/html').send(page('個人情報のアクセス記録', request.session, body));
  });
}

type HouseholdView = Awaited<ReturnType<typeof householdView>>;

/**
 * The members' circumstances (the latest version of each), and for a reviewer the form that
 * records one: a returned 確認書, a 辞退届. It is stored as a row of circumstances.csv would be.
 */
function circumstancesSection(v: HouseholdView, session: Session, purpose: string, programs: Map<string, string>): Html {
  const residents = v.members.filter((m) => m.status === 'resident');
  return html`<h2 id="circumstances">状況（公務員・施設入所・辞退など）</h2>
${v.circumstances.length === 0 ? html`<p>記録はありません。</p>` : html`<table><thead><tr><th>宛名番号</th><th>状況</th><th>制度</th><th>状態</th><th>効力発生日</th><th>記録日時</th><th>備考</th></tr></thead><tbody>
${v.circumstances.map((c) => html`<tr><td>${c.person_id}</td><td>${label('circumstance', c.circumstance)}</td><td>${c.program ? (programs.get(c.program) ?? c.program) : '（すべて）'}</td><td>${c.active ? '該当' : '終了'}</td><td>${date(c.valid_from)}</td><td>${dateTime(c.recorded_at)}</td><td>${c.note ?? ''}</td></tr>`)}
</tbody></table>`}
${roleAtLeast(session.user.role, 'reviewer') && residents.length > 0
  ? html`<form method="post" action="/households/${encodeURIComponent(v.household_id)}/circumstances" class="noprint"><fieldset><legend>状況を記録する（確認書・辞退届など。次の夜間処理で判定に反映されます）</legend>${csrfField(session)}
<input type="hidden" name="purpose" value="${purpose}">
<label>世帯員 <select name="person_id" required>${residents.map((m) => html`<option value="${m.person_id}">${m.person_id} ${m.family_name} ${m.given_name}（${m.relationship}）</option>`)}</select></label>
<label>状況 <select name="circumstance" required>${CIRCUMSTANCES.map((c) => html`<option value="${c}">${label('circumstance', c)}</option>`)}</select></label>
<label>該当 <select name="active" required><option value="true">該当する（効力発生日から）</option><option value="false">該当しなくなった（効力発生日に終了）</option></select></label>
<label>制度（辞退の場合は必須） <select name="program"><option value="">（指定しない：すべての制度）</option>${[...programs].map(([id, name]) => html`<option value="${id}">${name}</option>`)}</select></label>
<label>効力発生日 <input name="effective_date" type="date" required></label>
<label>備考（200字まで。ログには残りません） <textarea name="note" rows="2" cols="60" maxlength="200"></textarea></label>
<button>状況を記録する</button></fieldset></form>`
  : ''}`;
}
