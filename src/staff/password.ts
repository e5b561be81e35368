import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are hashed with scrypt, a memory-hard function built into Node (no native add-on
 * to compile). N = 2^15, r = 8 takes 32 MiB and a few tens of milliseconds per attempt.
 */
const PARAMS: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, params, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Returns `scrypt$N$r$p$salt$hash` (base64url), self-describing so parameters can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * True when `password` matches `stored`. A stored value that is not a well-formed hash of ours
 * is checked as a wrong password at the same cost, never an error: the time taken says nothing.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  const actual = await derive(password, parsed?.salt ?? DUMMY_SALT, parsed?.params ?? PARAMS);
  return parsed !== undefined && actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}

const DUMMY_SALT = Buffer.alloc(16);

function parseHash(stored: string): { params: ScryptOptions; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const hash = Buffer.from(parts[5], 'base64url');
  const power = Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
  if (!power || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16 || salt.length < 16 || hash.length !== KEY_LENGTH) return undefined;
  if (128 * n * r > PARAMS.maxmem!) return undefined;
  return { params: { N: n, r, p, maxmem: PARAMS.maxmem }, salt, hash };
}

/**
 * A well-formed hash of no password anyone knows (the key is all zeros), with the parameters of
 * real ones: unknown and disabled logins are checked against it, so they take as long as a
 * wrong password.
 */
export const DUMMY_HASH = ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, Buffer.alloc(16, 1).toString('base64url'), Buffer.alloc(KEY_LENGTH).toString('base64url')].join('$');
