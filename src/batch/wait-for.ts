import { ConflictError } from '../errors.ts';
import { isConnectionError, UNREACHABLE_MS } from './server-errors.ts';

export interface WaitOptions {
  /** Give up once nothing has moved for this long, however long the whole takes. Default 10 minutes. */
  stallMs?: number;
  /**
   * Called once nothing has moved for `checkAfterMs`, and again every `checkAfterMs` while
   * nothing moves: where the waiter makes sure the work is still queued (a Redis that lost its
   * data, jobs that failed for good) and queues it again. It may throw to give up.
   */
  check?: () => Promise<void>;
  checkAfterMs?: number;
  /** Told of each failed poll while the database cannot be reached. */
  onUnreachable?: (error: Error) => void;
  /** The longest pause between polls (they start at 20 ms and double). Default 500 ms. */
  maxDelayMs?: number;
}

/**
 * Polls `remaining` until it reports nothing left: how a batch waits for work its jobs do,
 * whichever process runs them. Gives up with a clear message once nothing has moved for
 * `stallMs`. A poll that fails because the database cannot be reached (a restart) is retried
 * until it has failed for UNREACHABLE_MS in a row; then that error is thrown.
 */
export async function waitFor(remaining: () => Promise<number>, what: string, options: WaitOptions = {}): Promise<void> {
  const { stallMs = 10 * 60_000, check, checkAfterMs = 5000, onUnreachable, maxDelayMs = 500 } = options;
  let deadline = Date.now() + stallMs;
  let nextCheck = Date.now() + checkAfterMs;
  let last = Infinity;
  let unreachableSince: number | undefined;
  for (let delay = 20; ; delay = Math.min(delay * 2, maxDelayMs)) {
    let left: number;
    try {
      left = await remaining();
      unreachableSince = undefined;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > UNREACHABLE_MS) throw error;
      onUnreachable?.(error as Error);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (left === 0) return;
    if (left < last) {
      last = left;
      deadline = Date.now() + stallMs;
      nextCheck = Date.now() + checkAfterMs;
    } else if (Date.now() > deadline) {
      throw new ConflictError('jobs_pending', `${left} ${what} not done, and none finished in ${Math.round(stallMs / 60000)} minutes: is a 'benefit worker' running? ('benefit worker' logs say why a job failed)`);
    } else if (check && Date.now() > nextCheck) {
      await check();
      nextCheck = Date.now() + checkAfterMs;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
