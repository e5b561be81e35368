import { AppError } from '../errors.ts';

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
