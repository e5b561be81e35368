import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { UnauthenticatedError } from '../../errors.ts';
import { SignInLockedError, signIn, signOut } from '../../staff/staff.service.ts';
import { SESSION_COOKIE, sessionCookieOptions, staffOnly, type HttpOptions } from '../session-auth.ts';
import { html, page } from './html.ts';

function loginForm(reply: FastifyReply, status: number, message?: string) {
  return reply.code(status).type('text/html').send(
    page('ログイン', undefined, html`${message ? html`<p class="error" role="alert">${message}</p>` : ''}
<form method="post" action="/login"><fieldset><legend>職員アカウントでログインしてください</legend>
<label>ログインID <input name="login" autocomplete="username" required autofocus></label>
<label>パスワード <input name="password" type="password" autocomplete="current-password" required></label>
<button>ログイン</button></fieldset></form>`),
  );
}

/** Sign-in and sign-out for the pages; the cookie is the API's. */
export function loginPages(app: FastifyInstance, db: Kysely<DB>, http: HttpOptions = {}): void {
  app.get('/login', { schema: { hide: true } }, async (_request, reply) => loginForm(reply, 200));

  app.post<{ Body: { login?: unknown; password?: unknown } }>('/login', { schema: { hide: true } }, async (request, reply) => {
    const login = typeof request.body?.login === 'string' ? request.body.login : '';
    const password = typeof request.body?.password === 'string' ? request.body.password : '';
    try {
      // The API's limits: a login of at most 64 characters, a password of at most 200.
      if (login.length > 64 || password.length > 200) throw new UnauthenticatedError('bad_credentials', 'wrong login or password');
      const { token, session } = await signIn(db, login, password, { address: request.ip, log: request.log });
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(request, http));
      return reply.redirect(session.user.role === 'operator' ? '/admin/queues' : '/review', 303);
    } catch (error) {
      if (error instanceof SignInLockedError) {
        reply.header('retry-after', String(error.retryAfterSeconds));
        return loginForm(reply, 429, `ログインに続けて失敗したため、しばらくログインできません。${Math.ceil(error.retryAfterSeconds / 60)}分後にお試しいただくか、管理者にお問い合わせください。`);
      }
      if (error instanceof UnauthenticatedError) return loginForm(reply, 401, 'ログインIDまたはパスワードが違います。');
      throw error;
    }
  });

  app.post('/logout', { ...staffOnly(db), schema: { hide: true } }, async (request, reply) => {
    await signOut(db, request.cookies[SESSION_COOKIE]!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
