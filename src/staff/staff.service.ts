import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isValidMunicipalityCode } from '../codes/municipality-code.ts';
import type { DB, StaffRole } from '../db/schema.ts';
import { UnauthenticatedError, UnusableInputError } from '../errors.ts';
import { hashPassword, verifyPassword } from './password.ts';

export const ROLES: StaffRole[] = ['viewer', 'reviewer', 'supervisor', 'admin'];
const SESSION_HOURS = 8;
const MIN_PASSWORD = 12;

export interface StaffUser {
  id: number;
  login: string;
  role: StaffRole;
  municipalityCode: string;
}

export interface Session {
  user: StaffUser;
  csrfToken: string;
}

/** True when `role` may do what `needed` may (viewer < reviewer < supervisor < admin). */
export function roleAtLeast(role: StaffRole, needed: StaffRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export async function addUser(
  db: Kysely<DB>,
  input: { login: string; role: string; municipalityCode: string; password: string },
): Promise<StaffUser> {
  if (!ROLES.includes(input.role as StaffRole)) {
    throw new UnusableInputError('bad_role', `--role must be one of ${ROLES.join(', ')}, not '${input.role}'`);
  }
  if (!isValidMunicipalityCode(input.municipalityCode)) {
    throw new UnusableInputError('bad_municipality', `'${input.municipalityCode}' is not a 6-digit municipality code with a valid check digit`);
  }
  if (!/^[A-Za-z0-9._@-]{3,64}$/.test(input.login)) {
    throw new UnusableInputError('bad_login', 'a login is 3-64 characters of letters, digits and . _ @ -');
  }
  if (input.password.length < MIN_PASSWORD) {
    throw new UnusableInputError('weak_password', `a password needs at least ${MIN_PASSWORD} characters`);
  }
  const existing = await db.selectFrom('staff_users').select('id').where('login', '=', input.login).executeTakeFirst();
  if (existing) throw new UnusableInputError('login_taken', `login '${input.login}' already exists`);
  await db.insertInto('municipalities').values({ municipality_code: input.municipalityCode }).onConflict((c) => c.doNothing()).execute();
  const row = await db
    .insertInto('staff_users')
    .values({ login: input.login, role: input.role as StaffRole, municipality_code: input.municipalityCode, password_hash: await hashPassword(input.password) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, login: input.login, role: input.role as StaffRole, municipalityCode: input.municipalityCode };
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Checks the password and opens a session; returns the cookie token (only its hash is stored). */
export async function signIn(db: Kysely<DB>, login: string, password: string): Promise<{ token: string; session: Session }> {
  const user = await db.selectFrom('staff_users').selectAll().where('login', '=', login).where('disabled_at', 'is', null).executeTakeFirst();
  // Verify against a dummy hash for unknown logins too, so timing does not reveal which exist.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) throw new UnauthenticatedError('bad_credentials', 'wrong login or password');
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db
    .insertInto('staff_sessions')
    .values({ token_hash: tokenHash(token), user_id: user.id, csrf_token: csrfToken, expires_at: new Date(Date.now() + SESSION_HOURS * 3600_000) })
    .execute();
  return { token, session: { user: { id: user.id, login: user.login, role: user.role, municipalityCode: user.municipality_code }, csrfToken } };
}

export async function sessionFor(db: Kysely<DB>, token: string): Promise<Session | undefined> {
  const row = await db
    .selectFrom('staff_sessions as s')
    .innerJoin('staff_users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.login', 'u.role', 'u.municipality_code', 's.csrf_token'])
    .where('s.token_hash', '=', tokenHash(token))
    .where('s.expires_at', '>', new Date())
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return { user: { id: row.id, login: row.login, role: row.role, municipalityCode: row.municipality_code }, csrfToken: row.csrf_token };
}

export async function signOut(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('staff_sessions').where('token_hash', '=', tokenHash(token)).execute();
}

const DUMMY_HASH = 'scrypt$32768$8$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
