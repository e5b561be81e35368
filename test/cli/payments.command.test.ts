import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMunicipality } from '../../src/generate/generate-municipality.ts';
import { parseZenginTransferFile } from '../../src/payments/zengin/index.ts';
import { withResultCodes } from '../payments/support/result-file.ts';
import { runCli } from '../support/run-cli.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.ts';

const SETTINGS = fileURLToPath(new URL('../../examples/municipality-141003.json', import.meta.url));

describe('benefit municipality and benefit payments', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-payments-cli-'));

  beforeAll(async () => {
    database = await createPostgresDatabase();
    env = { DATABASE_URL: database.url!, BENEFIT_DATA_DIR: dir, LOG_LEVEL: 'warn' };
    const { files } = await generateMunicipality({ households: 150, seed: 'payments-cli', municipalityCode: '141003', outDir: dir });
    for (const kind of ['residents', 'income', 'accounts'] as const) expect((await runCli(['import', kind, files[kind]], env)).code).toBe(0);
  }, 120_000);
  afterAll(() => database?.close());

  it('refuses incomplete or invalid settings, naming each field, and saves nothing', async () => {
    const bad = await runCli(['municipality', 'set', '141003', '--set', 'payment_day=31', '--set', 'requester.code=12'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('payment_day');
    expect(bad.stderr).toContain('requester.code');
    expect(JSON.parse((await runCli(['municipality', 'show', '141003'], env)).stdout)).toEqual({});
    const nightly = await runCli(['nightly', '--date', '2024-12-13', '--json'], env);
    expect(JSON.parse(nightly.stdout)).toMatchObject({ payments_created: 0, skipped: [{ municipality_code: '141003' }] });
  });

  it('exports the payments of a date as Zengin, the same file twice, and reads the bank results', async () => {
    expect((await runCli(['municipality', 'set', '141003', '--file', SETTINGS, '--set', 'payment_day=15'], env)).code).toBe(0);
    const nightly = await runCli(['nightly', '--date', '2024-12-14', '--json'], env);
    expect(JSON.parse(nightly.stdout).payments_created).toBeGreaterThan(0);
    const dates = await runCli(['payments', 'dates'], env);
    // After the December payment day: the one-off benefit goes out on the next payment day (15 January).
    expect(dates.stdout.trim().split('\n')).toEqual(['2025-01-15']);
    const date = dates.stdout.trim().split('\n')[0];
    const [a, b] = [path.join(dir, 'a.txt'), path.join(dir, 'b.txt')];
    expect((await runCli(['payments', 'export', '--date', date, '--format', 'zengin', '--out', a], env)).code).toBe(0);
    expect((await runCli(['payments', 'export', '--date', date, '--format', 'zengin', '--out', b], env)).code).toBe(0);
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    const file = parseZenginTransferFile(fs.readFileSync(a));
    expect(file.trailer.count).toBe(file.transfers.length);
    expect(file.trailer.totalYen).toBe(file.transfers.reduce((s, t) => s + t.amountYen, 0));

    const codes = file.transfers.map((_, i) => (i === 0 ? '2' : '0'));
    const result = path.join(dir, 'result.txt');
    fs.writeFileSync(result, withResultCodes(fs.readFileSync(a), codes));
    const returns = await runCli(['payments', 'returns', result], env);
    expect(returns.code).toBe(0);
    expect(returns.stdout).toContain(`${file.transfers.length - 1} paid, 1 failed`);

    expect((await runCli(['payments', 'export', '--date', '2031-01-15', '--format', 'zengin', '--out', a], env)).code).toBe(2);
    expect((await runCli(['payments', 'export', '--date', date, '--format', 'csv', '--out', a], env)).code).toBe(2);
  });
});
