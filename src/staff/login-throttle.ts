import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Sign-in throttling, shared by every `serve` process through the database (one row per key):
 * - per account: 10 failed sign-ins within 15 minutes lock the account for 15 minutes, on the
 *   page and the API alike. Unknown logins are counted and locked exactly as real ones, so the
 *   answer never tells whether an account exists.
 * - per client address: 100 failed sign-ins within 15 minutes (guessing one password for many
 *   accounts) lock that address out of signing in for 15 minutes.
 * An attempt counts as a failure before the password is checked and is taken back when it
 * succeeds, so many attempts at once cannot slip past the limit while scrypt runs.
 */
export const THROTTLE = {
  account: { failures: 10, minutes: 15 },
  address: { failures: 100, minutes: 15 },
} as const;

type Scope = keyof typeof THROTTLE;

export interface ThrottleKey {
  scope: Scope;
  key: string;
}

/** The account's key: a hash of the login (case-folded), never the login itself. */
export function accountKey(login: string): ThrottleKey {
  return { scope: 'account', key: `account:${loginDigest(login)}` };
}

export function addressKey(address: string): ThrottleKey {
  return { scope: 'address', key: `address:${address}` };
}

/** What logs carry instead of a login: 16 hex digits of its SHA-256. */
export function loginDigest(login: string): string {
  return createHash('sha256').update(login.normalize('NFKC').toLowerCase()).digest('hex').slice(0, 16);
}

export type Reservation = { allowed: true; failures: Record<Scope, number> } | { allowed: false; scope: Scope; lockedUntil: Date };

/**
 * Counts an attempt against each key (in one short transaction, always in the same order, so
 * two attempts cannot deadlock) before the password is checked. Refused when a key is locked,
 * or when this attempt would pass its limit (the key is then locked).
 */
export async function reserveAttempt(db: Kysely<DB>, keys: ThrottleKey[]): Promise<Reservation> {
  return db.transaction().execute(async (trx) => {
    const failures = { account: 0, address: 0 };
    for (const { scope, key } of keys) {
      const limit = THROTTLE[scope];
      await trx.insertInto('login_throttle').values({ key, failures: 0 }).onConflict((c) => c.doNothing()).execute();
      const { rows: [row] } = await sql<{ failures: number; locked: boolean; locked_until: Date | null; expired: boolean }>`
        select failures, locked_until, coalesce(locked_until > now(), false) as locked,
               (locked_until is not null and locked_until <= now())
               or (locked_until is null and window_started_at <= now() - make_interval(mins => ${limit.minutes})) as expired
        from login_throttle where key = ${key} for update`.execute(trx);
      if (row.locked) return { allowed: false as const, scope, lockedUntil: row.locked_until! };
      const count = (row.expired ? 0 : row.failures) + 1;
      if (count > limit.failures) {
        const { rows: [locked] } = await sql<{ locked_until: Date }>`
          update login_throttle set locked_until = now() + make_interval(mins => ${limit.minutes}) where key = ${key} returning locked_until`.execute(trx);
        return { allowed: false as const, scope, lockedUntil: locked.locked_until };
      }
      await sql`
        update login_throttle set failures = ${count}, locked_until = null,
          window_started_at = case when ${row.expired} then now() else window_started_at end
        where key = ${key}`.execute(trx);
      failures[scope] = count;
    }
    return { allowed: true as const, failures };
  });
}

/**
 * After the password was checked. A success clears the account's failures and takes the
 * attempt back from the address; a failure that reached a limit locks that key at once.
 * Returns the scope a failure locked, if any.
 */
export async function settleAttempt(db: Kysely<DB>, keys: ThrottleKey[], reservation: Extract<Reservation, { allowed: true }>, ok: boolean): Promise<Scope | undefined> {
  if (ok) {
    for (const { scope, key } of keys) {
      if (scope === 'account') await db.deleteFrom('login_throttle').where('key', '=', key).execute();
      else await sql`update login_throttle set failures = greatest(failures - 1, 0) where key = ${key}`.execute(db);
    }
    return undefined;
  }
  let locked: Scope | undefined;
  for (const { scope, key } of keys) {
    if (reservation.failures[scope] < THROTTLE[scope].failures) continue;
    await sql`update login_throttle set locked_until = now() + make_interval(mins => ${THROTTLE[scope].minutes}) where key = ${key} and locked_until is null`.execute(db);
    locked ??= scope;
  }
  return locked;
}

/** `benefit users unlock`: clears an account's failures and lock. True when there was one. */
export async function unlockAccount(db: Kysely<DB>, login: string): Promise<boolean> {
  const result = await db.deleteFrom('login_throttle').where('key', '=', accountKey(login).key).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
