import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

describe('benefit worker', () => {
  it.each(['0', '-1', '1.5', 'abc'])('refuses --concurrency %s with exit 2, naming the option', async (value) => {
    const result = await runCli(['worker', '--concurrency', value], { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`'--concurrency <n>' argument '${value}' is invalid`);
  });
});
