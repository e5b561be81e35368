import { UnusableInputError } from '../errors.ts';

/**
 * Checks of what the pages take from paths, query strings and forms, which have no JSON schema:
 * a malformed value is a 400 with its name, never a database error.
 */

/** Pages of 50: far beyond any municipality's rows, far below an offset PostgreSQL refuses. */
export const MAX_PAGE = 1_000_000;
/** An amount in yen as PostgreSQL's integer columns hold it. */
export const MAX_AMOUNT_YEN = 2_147_483_647;

/** A row id from a path: digits only, at most 15 of them. */
export function idParam(value: unknown, name = 'id'): number {
  if (typeof value === 'string' && /^[0-9]{1,15}$/.test(value) && Number(value) > 0) return Number(value);
  throw new UnusableInputError('bad_id', `${name} must be a positive whole number`);
}

/** `page` from a query string: absent or empty is the first page. */
export function pageParam(value: unknown): number {
  if (value === undefined || value === '') return 1;
  if (typeof value === 'string' && /^[0-9]{1,7}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_PAGE) return Number(value);
  throw new UnusableInputError('bad_page', `page must be a whole number from 1 to ${MAX_PAGE}`);
}

/** A field of a form (or of a JSON body posted to a page): a string, or absent. */
export function formField(body: unknown, name: string, maxLength = 2000): string | undefined {
  const value = body !== null && typeof body === 'object' && Object.hasOwn(body, name) ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UnusableInputError('bad_field', `${name} must be text`);
  if (value.length > maxLength) throw new UnusableInputError('bad_field', `${name} is at most ${maxLength} characters`);
  return value;
}

/**
 * Where a form may send the browser back to: a path of this site only. No scheme or host, no
 * `//` or `/\` (which browsers read as another host), and no control characters or spaces
 * (browsers drop tabs and newlines, so `/\t/evil.example` would become `//evil.example`).
 */
export function safeBack(back: unknown, fallback = '/review'): string {
  if (typeof back !== 'string' || back.length > 2000) return fallback;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(back) || back.includes('\\')) return fallback;
  // Percent-encoded, the same characters are refused too: a later decoding must not make a host.
  let decoded: string;
  try {
    decoded = decodeURIComponent(back);
  } catch {
    return fallback;
  }
  if (/^\/[/\\]/.test(decoded) || decoded.includes('\\') || [...decoded].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)) return fallback;
  const url = new URL(back, 'http://this.invalid');
  return url.origin === 'http://this.invalid' ? `${url.pathname}${url.search}${url.hash}` : fallback;
}
