import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB, StaffRole } from '../db/schema.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import { roleAtLeast, sessionFor, type Session } from '../staff/staff.service.ts';

export const SESSION_COOKIE = 'benefit_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
}

/**
 * An onRequest hook (it runs before the body is parsed, so an anonymous caller learns nothing
 * of the route's schema) for routes that need a signed-in staff member of at least `role`. State-changing
 * requests must also carry the session's CSRF token in a header, which another site's page
 * cannot read or set (the cookie alone is not enough).
 */
export function requireStaff(db: Kysely<DB>, role: StaffRole = 'viewer') {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = request.cookies[SESSION_COOKIE];
    const session = token ? await sessionFor(db, token) : undefined;
    if (!session) throw new UnauthenticatedError('not_signed_in', 'sign in first (POST /v1/login)');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken) {
      throw new ForbiddenError('csrf', `missing or wrong ${CSRF_HEADER} header`);
    }
    if (!roleAtLeast(session.user.role, role)) {
      throw new ForbiddenError('role', `this needs the ${role} role; you are ${session.user.role}`);
    }
    request.session = session;
  };
}
