import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { signIn, signOut } from '../../staff/staff.service.ts';
import { SESSION_COOKIE, staffOnly } from '../session-auth.ts';

/**
 * Sign-in attempts per client address and login: enough for a typing mistake or two, far too
 * few to guess a password (scrypt makes each guess slow as well).
 */
export const LOGIN_RATE_LIMIT = {
  max: 10,
  timeWindow: '15 minutes',
  // After the body is parsed, so the login is part of the key; both sign-in routes share it.
  hook: 'preHandler' as const,
  groupId: 'login',
  keyGenerator: (request: { ip: string; body?: unknown }) => `${request.ip}|${String((request.body as { login?: unknown } | undefined)?.login ?? '')}`,
};

export function sessionRoutes(app: FastifyInstance, db: Kysely<DB>): void {
  app.post<{ Body: { login: string; password: string } }>(
    '/v1/login',
    {
      config: { rateLimit: LOGIN_RATE_LIMIT },
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
      const { token, session } = await signIn(db, request.body.login, request.body.password);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        path: '/',
      });
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
