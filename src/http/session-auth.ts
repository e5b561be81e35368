import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB, StaffRole } from '../db/schema.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { roleAtLeast, sessionFor, type Session } from '../staff/staff.service.ts';

export const SESSION_COOKIE = 'benefit_session';
export const CSRF_HEADER = 'x-csrf-token';
/** The hidden field of every form of the pages. */
export const CSRF_FIELD = '_csrf';

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
}

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** How the server sits in the network (config.ts: BENEFIT_TRUST_PROXY, BENEFIT_SECURE_COOKIES). */
export interface HttpOptions {
  /** Fastify's trustProxy: believe X-Forwarded-For/-Proto from every peer (true) or from these addresses or CIDRs. */
  trustProxy?: boolean | string;
  /** Always mark the session cookie Secure (a TLS-terminating proxy in front). */
  secureCookies?: boolean;
}

/**
 * The session cookie: httpOnly, SameSite=Strict, Secure when asked to or when the request came
 * over TLS (as a trusted proxy says with X-Forwarded-Proto).
 */
export function sessionCookieOptions(request: FastifyRequest, http: HttpOptions): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'strict', secure: http.secureCookies === true || request.protocol === 'https', path: '/' };
}

/**
 * Hooks for a route that needs a signed-in staff member of at least `role`. The session is
 * checked on request, before the body is parsed, so an anonymous caller learns nothing of the
 * route's schema. A state-changing request must also carry the session's CSRF token (the
 * API in a header, a page's form in a hidden field), which another site's page cannot read:
 * the cookie alone is not enough.
 */
export function staffOnly(db: Kysely<DB>, role: StaffRole = 'viewer'): Pick<RouteShorthandOptions, 'onRequest' | 'preValidation'> {
  return {
    onRequest: async (request: FastifyRequest, _reply: FastifyReply) => {
      const token = request.cookies[SESSION_COOKIE];
      const session = token ? await sessionFor(db, token) : undefined;
      if (!session) throw new UnauthenticatedError('not_signed_in', 'sign in first (POST /v1/login)');
      // Known before the role is checked, so that a refusal's page shows the staff member's usual
      // header; the route itself never runs when the role is refused.
      request.session = session;
      if (session.user.role === 'operator' && role !== 'operator') {
        throw new ForbiddenError('role', 'an operator sees the job queues only (/admin/queues), no municipality\'s data');
      }
      if (!roleAtLeast(session.user.role, role)) {
        throw new ForbiddenError('role', `this needs the ${role} role; you are ${session.user.role}`);
      }
    },
    preValidation: async (request: FastifyRequest, _reply: FastifyReply) => {
      if (SAFE_METHODS.includes(request.method)) return;
      const body = request.body as Record<string, unknown> | undefined;
      const token = request.headers[CSRF_HEADER] ?? body?.[CSRF_FIELD];
      if (token !== request.session!.csrfToken) throw new ForbiddenError('csrf', `missing or wrong ${CSRF_HEADER} header (or ${CSRF_FIELD} form field)`);
    },
  };
}
