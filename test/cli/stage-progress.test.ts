import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { stageProgress } from '../../src/cli/stage-progress.ts';

/** A terminal that keeps what is written to it. */
function terminal() {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 120, rows: 40, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
  return { stream, text: () => written.join('') };
}

describe('the nightly progress bars', () => {
  it('give stages that run side by side a bar each, rather than a new bar at every switch', () => {
    const { stream, text } = terminal();
    const progress = stageProgress(stream)!;
    progress.update('payments:child-allowance', 1, 2);
    progress.update('payments:tax-cut-adjustment-2024', 1, 3);
    progress.update('payments:child-allowance', 2, 2);
    progress.update('payments:tax-cut-adjustment-2024', 3, 3);
    progress.stop();
    const out = text();
    expect(out.split('payments:child-allowance ').length - 1).toBe(1);
    expect(out.split('payments:tax-cut-adjustment-2024 ').length - 1).toBe(1);
    expect(out).toMatch(/payments:child-allowance +\[[^\]]*\] 2\/2 chunks/);
    expect(out).toMatch(/payments:tax-cut-adjustment-2024 +\[[^\]]*\] 3\/3 chunks/);
  });

  it('draw nothing where stderr is not a terminal (cron, pipes)', () => {
    const { stream } = terminal();
    Object.assign(stream, { isTTY: false });
    expect(stageProgress(stream)).toBeUndefined();
  });
});
