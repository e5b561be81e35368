import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { accessLogForStaff, checkedPurpose, PURPOSES } from '../../review/access-log.service.ts';
import { householdView, searchPersons } from '../../review/case-reads.service.ts';
import { staffOnly } from '../session-auth.ts';
import { date, dateTime, html, label, money, page } from './html.ts';
import { itemSection, purposeChooser } from './review.page.ts';

/** A household's page with its timeline, search by 宛名番号 or kana, and a person's access log. */
export function householdPages(app: FastifyInstance, db: Kysely<DB>): void {
  const viewer = staffOnly(db);

  app.get<{ Params: { id: string }; Querystring: { purpose?: string; done?: string } }>('/households/:id', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    if (!request.query.purpose) return reply.type('text/html').send(purposeChooser(request, '世帯の表示'));
    const purpose = checkedPurpose(request.query.purpose);
    const v = await householdView(db, request.session!.user, request.params.id, purpose);
    const back = `/households/${encodeURIComponent(v.household_id)}?purpose=${purpose}`;
    // One timeline, newest first: decisions, payments, notices and review items by date.
    const events = [
      ...v.decisions.map((d) => ({ at: d.decided_at, what: html`決定 <a href="/decisions/${encodeURIComponent(d.decision_id)}?purpose=${purpose}">${d.decision_id}</a>`, detail: html`${d.program}：${label('outcome', d.outcome)}（${label('change', d.change_kind)}）${d.period_kind === 'monthly' ? ' 月額' : ' '}${money(d.amount_yen)}、${date(d.effective_from)}から${d.decided_by ? '（職員による決定）' : ''}` })),
      ...v.payments.map((l) => ({ at: new Date(`${l.payment_date}T00:00:00+09:00`), what: html`支払 ${date(l.payment_date)}`, detail: html`${l.program}：${money(l.amount_yen)}（${date(l.period_start)}から、${label('line', l.status)}）` })),
      ...v.notices.map((n) => ({ at: new Date(`${n.issued_on}T00:00:00+09:00`), what: html`通知 ${n.notice_id}`, detail: html`${n.program}：${n.kind}（${date(n.issued_on)}発行）` })),
      ...v.items.map((i) => ({ at: i.created_at, what: html`<a href="#item-${i.id}">審査項目 ${i.id}</a>`, detail: html`${i.program}：${label('kind', i.kind)}（${label('status', i.status)}）` })),
    ].sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime());
    const body = html`
${request.query.done ? html`<p class="notice" role="status">「${label('action', request.query.done)}」を記録しました。次の夜間処理で支払と通知に反映されます。</p>` : ''}
<h2>世帯員（現在）</h2>
<table><thead><tr><th>宛名番号</th><th>氏名</th><th>フリガナ</th><th>続柄</th><th>生年月日</th><th>住所</th><th>状態</th><th></th></tr></thead><tbody>
${v.members.map((m) => html`<tr><td>${m.person_id}</td><td>${m.family_name} ${m.given_name}</td><td>${m.family_name_kana} ${m.given_name_kana}</td><td>${m.relationship}</td><td>${date(m.birth_date)}</td>
<td>${m.postal_code ? `〒${m.postal_code.slice(0, 3)}-${m.postal_code.slice(3)} ` : ''}${m.address}</td><td>${m.status === 'resident' ? '住民' : m.status === 'moved_out' ? '転出' : '死亡'}</td>
<td><a href="/persons/${encodeURIComponent(m.person_id)}/access-log?purpose=disclosure">アクセス記録</a></td></tr>`)}
</tbody></table>
<h2>経過</h2>
<table><thead><tr><th>日時</th><th>出来事</th><th>内容</th></tr></thead><tbody>
${events.map((e) => html`<tr><td>${dateTime(e.at)}</td><td>${e.what}</td><td>${e.detail}</td></tr>`)}
</tbody></table>
<h2>審査項目</h2>
${v.items.length === 0 ? html`<p>ありません。</p>` : v.items.map((i) => itemSection(i, v.actions, request.session!, back))}`;
    return reply.type('text/html').send(page(`世帯 ${v.household_id}`, request.session, body));
  });

  app.get<{ Querystring: { q?: string; purpose?: string } }>('/search', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    const { q, purpose } = request.query;
    const rows = q && purpose ? await searchPersons(db, request.session!.user, q, checkedPurpose(purpose)) : undefined;
    const body = html`
<form method="get" action="/search"><fieldset><legend>宛名番号、またはフリガナ（姓、または「姓 名」）で検索</legend>
<label>検索語 <input name="q" value="${q ?? ''}" required autofocus></label>
<label>閲覧の目的 <select name="purpose" required>${Object.entries(PURPOSES).map(([k, v]) => html`<option value="${k}"${k === (purpose ?? 'counter') ? html` selected` : ''}>${v}</option>`)}</select></label>
<button>検索</button></fieldset></form>
${rows === undefined ? '' : rows.length === 0 ? html`<p>該当する住民はいません。</p>` : html`<table><thead><tr><th>宛名番号</th><th>氏名</th><th>フリガナ</th><th>生年月日</th><th>世帯</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td>${r.person_id}</td><td>${r.family_name} ${r.given_name}</td><td>${r.family_name_kana} ${r.given_name_kana}</td><td>${date(r.birth_date)}</td><td><a href="/households/${encodeURIComponent(r.household_id)}?purpose=${purpose}">${r.household_id}</a></td></tr>`)}
</tbody></table>`}`;
    return reply.type('text/html').send(page('住民検索', request.session, body));
  });

  app.get<{ Params: { id: string }; Querystring: { purpose?: string } }>('/persons/:id/access-log', { ...viewer, schema: { hide: true } }, async (request, reply) => {
    if (!request.query.purpose) return reply.type('text/html').send(purposeChooser(request, 'アクセス記録'));
    const entries = await accessLogForStaff(db, request.session!.user, request.params.id, checkedPurpose(request.query.purpose));
    const body = html`<p>宛名番号 ${request.params.id} の方の個人情報を、職員がいつ、誰が、何を、何のために閲覧したかの記録です（${dateTime(new Date())} 現在、${entries.length}件）。</p>
<table><thead><tr><th>日時</th><th>職員</th><th>役割</th><th>閲覧した内容</th><th>目的</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${dateTime(e.accessed_at)}</td><td>${e.staff_login}</td><td>${label('role', e.staff_role)}</td><td>${e.what}</td><td>${e.purpose_ja}</td></tr>`)}
</tbody></table>
<p class="noprint"><button onclick="window.print()">印刷する</button></p>`;
    return reply.type('text/html').send(page('個人情報のアクセス記録', request.session, body));
  });
}
