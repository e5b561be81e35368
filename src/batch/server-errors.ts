import { AppError, UnusableInputError } from '../errors.ts';

/** How long a batch waits for PostgreSQL or Redis to come back before it stops and says so. */
export const UNREACHABLE_MS = 2 * 60_000;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
// PostgreSQL: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now; class 08 connection exceptions.
const POSTGRES_CODES = /^(57P0[123]|08...)$/;
const MESSAGES = [
  /Connection terminated/i, // pg: the server ended the connection
  /not queryable/i, // pg: a client whose connection failed
  /timeout exceeded when trying to connect/i, // pg-pool
  /Connection is closed/i, // ioredis
  /max retries per request/i, // ioredis: gave up while reconnecting
  /Stream isn't writeable/i, // ioredis with the offline queue off
];

/**
 * Whether an error means that PostgreSQL or Redis could not be reached (down, restarting, the
 * network), rather than anything about the work: such a failure is worth retrying once the server
 * is back, and the batch is resumable.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, errors } = error as Error & { code?: unknown; errors?: unknown[] };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_CODES.test(code))) return true;
  if (Array.isArray(errors) && errors.some(isConnectionError)) return true; // AggregateError: every address refused
  return MESSAGES.some((m) => m.test(error.message));
}

const REDIS_MESSAGES = [/Connection is closed/i, /max retries per request/i, /Stream isn't writeable/i, /^Redis /];

/** Which server a connection error is about: Redis for ioredis's errors or Redis's port, else PostgreSQL. */
export function serverOf(error: unknown, redisUrl?: string): 'PostgreSQL' | 'Redis' {
  if (!(error instanceof Error)) return 'PostgreSQL';
  if (error.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.some((m) => m.test(error.message))) return 'Redis';
  const port = (error as { port?: number }).port;
  if (redisUrl && port !== undefined && String(port) === (new URL(redisUrl).port || '6379')) return 'Redis';
  return 'PostgreSQL';
}

/**
 * The error a batch stops with when a server could not be reached (the batch waits up to
 * UNREACHABLE_MS for it where it can): what happened, and what to do.
 */
export function serverUnreachable(server: string, error: unknown, rerun: string): AppError {
  const detail = error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
  return new AppError(
    'server_unreachable',
    `lost the connection to ${server} (${detail}). The run stopped; what it did is kept and nothing will be done twice: ` +
      `once ${server} is reachable, run the same command again${rerun ? ` (${rerun})` : ''}`,
  );
}

/**
 * Runs `fn`, retrying it while it fails for want of a server, for up to UNREACHABLE_MS; other
 * errors, and the last connection error, are thrown. For steps that are safe to repeat.
 */
export async function retryWhileUnreachable<T>(fn: () => Promise<T>, onRetry?: (error: Error) => void, limitMs = UNREACHABLE_MS): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await fn();
    } catch (error) {
      if (!isConnectionError(error) || Date.now() > deadline) throw error;
      onRetry?.(error as Error);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** A server URL as it may be shown: the password replaced, so a message never leaks it. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/**
 * What a command says when it cannot start on the database: a database that does not exist on the
 * server (PostgreSQL's 3D000) is a configuration mistake (exit 2) the operator fixes by creating
 * it or correcting DATABASE_URL; a server that cannot be reached is named by its URL. Anything else
 * is returned as it was.
 */
export function databaseStartError(error: unknown, databaseUrl: string | undefined): unknown {
  if (!databaseUrl || !(error instanceof Error) || error instanceof AppError) return error;
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || '(the user name)';
  if ((error as { code?: string }).code === '3D000') {
    return new UnusableInputError(
      'database_missing',
      `the database '${name}' does not exist on the server of DATABASE_URL (${shownUrl(databaseUrl)}): create it (createdb ${name}) or correct DATABASE_URL`,
    );
  }
  // Class 28: the server refused the user or password.
  if (/^28/.test(String((error as { code?: string }).code))) {
    return new UnusableInputError('database_sign_in', `PostgreSQL at ${shownUrl(databaseUrl)} (DATABASE_URL) refused the sign-in: ${error.message}`);
  }
  if (isConnectionError(error)) {
    const detail = (error as { code?: string }).code ?? error.message;
    return new AppError('database_unreachable', `PostgreSQL at ${shownUrl(databaseUrl)} (DATABASE_URL) cannot be reached (${detail}): start it, or correct DATABASE_URL`);
  }
  return error;
}

/** How long a command waits for Redis to answer when it starts. */
const REDIS_START_MS = 5_000;

/**
 * Checks that Redis answers before a command relies on it, so that a wrong or dead REDIS_URL
 * stops the command with one line naming the URL, not a stack trace from deep in BullMQ after
 * part of the work was done.
 */
export async function checkRedisReachable(redisUrl: string, waitMs = REDIS_START_MS): Promise<void> {
  const { Redis } = await import('ioredis');
  const deadline = Date.now() + waitMs;
  let last: Error | undefined;
  for (let delay = 200; ; delay = Math.min(delay * 2, 1000)) {
    const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: waitMs, retryStrategy: () => null, enableOfflineQueue: false });
    // The socket's error (ECONNREFUSED, ENOTFOUND) says more than the rejection ("Connection is closed").
    let socketError: Error | undefined;
    client.on('error', (error: Error) => (socketError ??= error));
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      last = socketError ?? (error as Error);
    } finally {
      client.disconnect();
    }
    if (Date.now() + delay > deadline) break;
    await new Promise((r) => setTimeout(r, delay));
  }
  const detail = (last as { code?: string } | undefined)?.code ?? last?.message ?? 'no answer';
  throw new AppError('redis_unreachable', `Redis at ${shownUrl(redisUrl)} (REDIS_URL) cannot be reached (${detail}): start it, or correct REDIS_URL`);
}
