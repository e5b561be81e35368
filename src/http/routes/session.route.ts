import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { signIn, signOut } from '../../staff/staff.service.ts';
import { SESSION_COOKIE, sessionCookieOptions, staffOnly, type HttpOptions } from '../session-auth.ts';

/**
 * Sign-in and sign-out over the API. Failed sign-ins are counted per account (whatever the
 * route) and per address, in the database every server shares (staff/login-throttle.ts).
 */
export function sessionRoutes(app: FastifyInstance, db: Kysely<DB>, http: HttpOptions = {}): void {
  app.post<{ Body: { login: string; password: string } }>(
    '/v1/login',
    {
      schema: {
        summary: 'Sign in; sets the session cookie and returns the CSRF token for state-changing requests',
        body: {
          type: 'object',
          required: ['login', 'password'],
          additionalProperties: false,
          properties: { login: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (request, reply) => {
      const { token, session } = await signIn(db, request.body.login, request.body.password, { address: request.ip, log: request.log });
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(request, http));
      return {
        login: session.user.login,
        role: session.user.role,
        municipality_code: session.user.municipalityCode,
        csrf_token: session.csrfToken,
      };
    },
  );

  app.post('/v1/logout', { ...staffOnly(db), schema: { summary: 'Sign out' } }, async (request, reply) => {
    await signOut(db, request.cookies[SESSION_COOKIE]!);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { signed_out: true };
  });
}
