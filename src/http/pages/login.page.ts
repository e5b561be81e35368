import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import { signIn, signOut } from '../../staff/staff.service.ts';
import { LOGIN_RATE_LIMIT } from '../routes/session.route.ts';
import { SESSION_COOKIE, staffOnly } from '../session-auth.ts';
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
export function loginPages(app: FastifyInstance, db: Kysely<DB>): void {
  app.get('/login', { schema: { hide: true } }, async (_request, reply) => loginForm(reply, 200));

  app.post<{ Body: { login?: string; password?: string } }>('/login', { schema: { hide: true }, config: { rateLimit: LOGIN_RATE_LIMIT } }, async (request, reply) => {
    try {
      const { token } = await signIn(db, String(request.body?.login ?? ''), String(request.body?.password ?? ''));
      reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', path: '/' });
      return reply.redirect('/review', 303);
    } catch (error) {
      if (error instanceof AppError) return loginForm(reply, 401, 'ログインIDまたはパスワードが違います。');
      throw error;
    }
  });

  app.post('/logout', { ...staffOnly(db), schema: { hide: true } }, async (request, reply) => {
    await signOut(db, request.cookies[SESSION_COOKIE]!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
