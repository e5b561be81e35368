import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isValidMunicipalityCode } from '../codes/municipality-code.ts';
import type { DB, StaffRole } from '../db/schema.ts';
import { AppError, UnauthenticatedError, UnusableInputError } from '../errors.ts';
import { accountKey, addressKey, loginDigest, reserveAttempt, settleAttempt, THROTTLE, unlockAccount, type ThrottleKey } from './login-throttle.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.ts';

/** The municipality's roles, each allowed what the one before it may, and more. */
export const ROLES: StaffRole[] = ['viewer', 'reviewer', 'supervisor', 'admin'];
/**
 * Every role: the municipality's, and the system operator, bound to no municipality, who sees
 * only the shared job queues (bull-board) and no municipality's data.
 */
export const ALL_ROLES: StaffRole[] = [...ROLES, 'operator'];
const SESSION_HOURS = 8;
const MIN_PASSWORD = 12;

export interface StaffUser {
  id: number;
  login: string;
  role: StaffRole;
  /** The one municipality the account works for; '' for an operator, which sees none. */
  municipalityCode: string;
}

export interface Session {
  user: StaffUser;
  csrfToken: string;
}

/**
 * True when `role` may do what `needed` may (viewer < reviewer < supervisor < admin). The
 * operator stands outside that order: only `operator` itself needs it, and it has no other.
 */
export function roleAtLeast(role: StaffRole, needed: StaffRole): boolean {
  if (role === 'operator' || needed === 'operator') return role === needed;
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export async function addUser(
  db: Kysely<DB>,
  input: { login: string; role: string; municipalityCode?: string; password: string },
): Promise<StaffUser> {
  if (!ALL_ROLES.includes(input.role as StaffRole)) {
    throw new UnusableInputError('bad_role', `--role must be one of ${ALL_ROLES.join(', ')}, not '${input.role}'`);
  }
  const operator = input.role === 'operator';
  if (operator && input.municipalityCode) {
    throw new UnusableInputError('operator_municipality', 'an operator works for no municipality: leave out --municipality');
  }
  if (!operator && !input.municipalityCode) {
    throw new UnusableInputError('municipality_required', `a ${input.role} works for one municipality: give --municipality CODE (6 digits)`);
  }
  if (!operator && !isValidMunicipalityCode(input.municipalityCode!)) {
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
  if (!operator) await db.insertInto('municipalities').values({ municipality_code: input.municipalityCode! }).onConflict((c) => c.doNothing()).execute();
  const row = await db
    .insertInto('staff_users')
    .values({ login: input.login, role: input.role as StaffRole, municipality_code: operator ? null : input.municipalityCode!, password_hash: await hashPassword(input.password) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, login: input.login, role: input.role as StaffRole, municipalityCode: operator ? '' : input.municipalityCode! };
}

/** Sign-in refused because the account (or the client's address) is locked for a while. */
export class SignInLockedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('sign_in_locked', `too many failed sign-ins: try again in ${Math.ceil(retryAfterSeconds / 60)} minutes, or ask an administrator to unlock the account`);
  }
}

/** Where sign-in events are logged: never with the password, and with a hash of the login only. */
export interface SignInLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface SignInOptions {
  /** The client's address, for the per-address limit. */
  address?: string;
  log?: SignInLog;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Checks the password and opens a session; returns the cookie token (only its hash is stored).
 * Unknown, disabled and wrong: the same error after the same work (a check against a hash of
 * the same cost). Throttled per account and per address (login-throttle.ts): a locked account
 * is refused before its password is checked, whatever the password.
 */
export async function signIn(db: Kysely<DB>, login: string, password: string, options: SignInOptions = {}): Promise<{ token: string; session: Session }> {
  const keys: ThrottleKey[] = [accountKey(login), ...(options.address ? [addressKey(options.address)] : [])];
  const account = loginDigest(login);
  const reservation = await reserveAttempt(db, keys);
  if (!reservation.allowed) {
    options.log?.info({ account, address: options.address, locked: reservation.scope, locked_until: reservation.lockedUntil }, 'sign-in refused: locked');
    throw new SignInLockedError(Math.max(1, Math.round((reservation.lockedUntil.getTime() - Date.now()) / 1000)));
  }
  const user = await db.selectFrom('staff_users').selectAll().where('login', '=', login).executeTakeFirst();
  const matches = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  const ok = matches && user !== undefined && user.disabled_at === null;
  const locked = await settleAttempt(db, keys, reservation, ok);
  if (!ok) {
    const detail = { account, staff_id: user?.id, failures: reservation.failures.account, address: options.address, address_failures: options.address ? reservation.failures.address : undefined };
    if (locked) {
      options.log?.warn({ ...detail, locked, minutes: THROTTLE[locked].minutes }, 'sign-in failed: locked');
    } else {
      options.log?.info(detail, 'sign-in failed');
    }
    throw new UnauthenticatedError('bad_credentials', 'wrong login or password');
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db
    .insertInto('staff_sessions')
    .values({ token_hash: tokenHash(token), user_id: user.id, csrf_token: csrfToken, expires_at: new Date(Date.now() + SESSION_HOURS * 3600_000) })
    .execute();
  options.log?.info({ staff_id: user.id }, 'signed in');
  return { token, session: { user: { id: user.id, login: user.login, role: user.role, municipalityCode: user.municipality_code ?? '' }, csrfToken } };
}

/**
 * Disables an account: it can no longer sign in, and its open sessions end now (they are
 * deleted; sessionFor also reads only enabled accounts). The account stays, for its log
 * entries. `municipalityCode`: only an account of that municipality (an admin's page).
 */
export async function disableUser(db: Kysely<DB>, login: string, municipalityCode?: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let query = trx.updateTable('staff_users').set({ disabled_at: new Date() }).where('login', '=', login).where('disabled_at', 'is', null);
    if (municipalityCode !== undefined) query = query.where('municipality_code', '=', municipalityCode);
    const row = await query.returning('id').executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('staff_sessions').where('user_id', '=', row.id).execute();
    return true;
  });
}

/**
 * Sets a new password for an enabled account (someone who forgot theirs). Its open sessions
 * end, since whoever knew the old password may hold one, and the sign-in lock is lifted.
 */
export async function resetPassword(db: Kysely<DB>, login: string, password: string, municipalityCode?: string): Promise<boolean> {
  if (password.length < MIN_PASSWORD) throw new UnusableInputError('weak_password', `a password needs at least ${MIN_PASSWORD} characters`);
  const hash = await hashPassword(password);
  const done = await db.transaction().execute(async (trx) => {
    let query = trx.updateTable('staff_users').set({ password_hash: hash }).where('login', '=', login).where('disabled_at', 'is', null);
    if (municipalityCode !== undefined) query = query.where('municipality_code', '=', municipalityCode);
    const row = await query.returning('id').executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('staff_sessions').where('user_id', '=', row.id).execute();
    return true;
  });
  if (done) await unlockAccount(db, login);
  return done;
}

/** A password for someone to sign in with once and change: 16 characters of an unambiguous alphabet. */
export function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

export interface StaffAccount {
  login: string;
  role: StaffRole;
  municipality_code: string | null;
  created_at: Date;
  disabled_at: Date | null;
  /** When the account last opened a session that has not been removed (sign-out removes it). */
  last_session_at: Date | null;
}

/** The accounts, of one municipality or all, by municipality and login. */
export async function listUsers(db: Kysely<DB>, municipalityCode?: string): Promise<StaffAccount[]> {
  let query = db
    .selectFrom('staff_users as u')
    .select(['u.login', 'u.role', 'u.municipality_code', 'u.created_at', 'u.disabled_at'])
    .select((eb) => eb.selectFrom('staff_sessions as s').whereRef('s.user_id', '=', 'u.id').select((e) => e.fn.max('s.created_at').as('m')).as('last_session_at'))
    .orderBy('u.municipality_code')
    .orderBy('u.login');
  if (municipalityCode !== undefined) query = query.where('u.municipality_code', '=', municipalityCode);
  return (await query.execute()) as StaffAccount[];
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
  return { user: { id: row.id, login: row.login, role: row.role, municipalityCode: row.municipality_code ?? '' }, csrfToken: row.csrf_token };
}

export async function signOut(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('staff_sessions').where('token_hash', '=', tokenHash(token)).execute();
}
