import { ConflictError } from '../errors.ts';

/**
 * Polls `remaining` until it reports nothing left: how a batch waits for work its jobs do,
 * whichever process runs them. Gives up with a clear message once nothing has moved for
 * `stallMs`, however long the whole takes.
 */
export async function waitFor(remaining: () => Promise<number>, what: string, stallMs = 10 * 60_000): Promise<void> {
  let deadline = Date.now() + stallMs;
  let last = Infinity;
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const left = await remaining();
    if (left === 0) return;
    if (left < last) {
      last = left;
      deadline = Date.now() + stallMs;
    } else if (Date.now() > deadline) {
      throw new ConflictError('jobs_pending', `${left} ${what} not done, and none finished in ${Math.round(stallMs / 60000)} minutes: is a 'benefit worker' running? ('benefit worker' logs say why a job failed)`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
