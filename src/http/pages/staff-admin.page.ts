import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { UnusableInputError } from '../../errors.ts';
import { disableUser, listUsers, resetPassword, temporaryPassword, type Session } from '../../staff/staff.service.ts';
import { formField } from '../input.ts';
import { staffOnly } from '../session-auth.ts';
import { csrfField, dateTime, html, label, page, type Html } from './html.ts';

/**
 * The municipality's administrator manages its staff accounts: sees them, disables a leaver
 * (no sign-in, sessions end at once) and resets a forgotten password. The same as `benefit
 * users` on the CLI, limited to the administrator's own municipality.
 */
export function staffAdminPages(app: FastifyInstance, db: Kysely<DB>): void {
  const admin = staffOnly(db, 'admin');

  app.get<{ Querystring: { disabled?: string } }>('/admin/users', { ...admin, schema: { hide: true } }, async (request, reply) => {
    const disabled = typeof request.query.disabled === 'string' ? request.query.disabled.slice(0, 64) : undefined;
    return usersPage(db, reply, request.session!, disabled ? html`<p class="notice" role="status">${disabled} を無効にしました。このアカウントではログインできず、開いていた画面も使えなくなりました。</p>` : html``);
  });

  app.post<{ Body: unknown }>('/admin/users/disable', { ...admin, schema: { hide: true } }, async (request, reply) => {
    const actor = request.session!.user;
    const login = formField(request.body, 'login', 64) ?? '';
    if (login === actor.login) throw new UnusableInputError('own_account', 'an administrator cannot disable their own account');
    if (!(await disableUser(db, login, actor.municipalityCode))) throw new UnusableInputError('account_not_found', `${login}: no enabled account of this municipality`);
    request.log.info({ staff_id: actor.id, action: 'disable_account' }, 'staff account disabled');
    return reply.redirect(`/admin/users?${new URLSearchParams({ disabled: login })}`, 303);
  });

  // The temporary password is shown once, in this answer only: not in a URL, not stored.
  app.post<{ Body: unknown }>('/admin/users/reset-password', { ...admin, schema: { hide: true } }, async (request, reply) => {
    const actor = request.session!.user;
    const login = formField(request.body, 'login', 64) ?? '';
    const password = temporaryPassword();
    if (!(await resetPassword(db, login, password, actor.municipalityCode))) throw new UnusableInputError('account_not_found', `${login}: no enabled account of this municipality`);
    request.log.info({ staff_id: actor.id, action: 'reset_password' }, 'staff password reset');
    reply.header('cache-control', 'no-store');
    return usersPage(db, reply, request.session!, html`<div class="notice" role="status"><p>${login} のパスワードを再設定しました。開いていた画面はすべてログアウトされました。</p>
<p>仮パスワード: <strong><code class="password">${password}</code></strong></p><p>この画面を閉じると二度と表示されません。本人に直接伝えてください。</p></div>`);
  });
}

async function usersPage(db: Kysely<DB>, reply: FastifyReply, session: Session, notice: Html) {
  const accounts = await listUsers(db, session.user.municipalityCode);
  return reply.type('text/html').send(page('職員アカウント', session, html`${notice}
<p>${session.user.municipalityCode} の職員アカウントです（${accounts.length}件）。アカウントの追加は <code>benefit users add</code> で行います。</p>
<table><thead><tr><th>ログインID</th><th>役割</th><th>状態</th><th>作成日時</th><th>最後のログイン</th><th class="noprint">操作</th></tr></thead><tbody>
${accounts.map((a) => html`<tr><td>${a.login}</td><td>${label('role', a.role)}</td><td>${a.disabled_at ? html`無効（${dateTime(a.disabled_at)}から）` : '有効'}</td><td>${dateTime(a.created_at)}</td><td>${a.last_session_at ? dateTime(a.last_session_at) : ''}</td>
<td class="noprint">${a.disabled_at === null && a.login !== session.user.login
  ? html`<form class="inline" method="post" action="/admin/users/reset-password">${csrfField(session)}<input type="hidden" name="login" value="${a.login}"><button>パスワードを再設定</button></form>
<form class="inline" method="post" action="/admin/users/disable">${csrfField(session)}<input type="hidden" name="login" value="${a.login}"><button>無効にする（退職・異動）</button></form>`
  : ''}</td></tr>`)}
</tbody></table>`));
}
