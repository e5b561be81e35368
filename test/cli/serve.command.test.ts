import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

describe('benefit serve and demo --port', () => {
  it.each([['serve', '65536'], ['serve', '-1'], ['serve', 'abc'], ['demo', '3.5']])('%s refuses --port %s with exit 2, naming the option', async (command, value) => {
    const result = await runCli([command, '--port', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`'--port <port>' argument '${value}' is invalid`);
  });
});
