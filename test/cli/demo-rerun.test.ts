import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { resident, writeCsv } from '../support/rows.ts';

/**
 * Issue 16 point 11: `benefit demo` run again prints where every output is (it renders nothing new),
 * and a later `benefit nightly` on the same data writes its notices where the demo said they are
 * (BENEFIT_NOTICES_DIR, by default under the data folder), as the README says.
 */
describe('benefit demo, run again, then a later nightly', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-demo-rerun-'));
  const out = path.join(work, 'out');
  const env = { BENEFIT_DATA_DIR: path.join(work, 'data'), LOG_LEVEL: 'warn' };
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('prints every output on the rerun, and the later nightly writes its notices beside the demo\'s', async () => {
    const first = await runCli(['demo', '--households', '150', '--out', out], env);
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(['demo', '--households', '150', '--out', out], env);
    expect(again.code, again.stderr).toBe(0);
    const notices = path.join(work, 'data', 'notices', '141003', '2024-12-13');
    for (const output of [path.join(out, 'data'), path.join(out, 'decisions.jsonl'), path.join(out, 'zengin-2024-12-13.txt'), notices]) {
      expect(again.stdout, output).toContain(output);
      expect(fs.existsSync(output), output).toBe(true);
    }
    expect(again.stdout).toMatch(/print manifest: .*\(manifest-2024-12-13-run1\.csv; nothing new this run\)/);

    // A child born in a household of the demo: the next nightly writes its letter.
    const [head] = (parse(fs.readFileSync(path.join(out, 'data', 'residents.csv')), { columns: true, bom: true }) as Record<string, string>[]).filter(
      (r) => r.relationship === '世帯主' && r.status === 'resident',
    );
    const birth = writeCsv([
      resident({ municipality_code: '141003', person_id: 'BORN-1', household_id: head.household_id, relationship: '子', family_name: head.family_name, family_name_kana: head.family_name_kana, birth_date: '2024-11-01', effective_date: '2024-11-01', address: head.address }),
    ]);
    expect((await runCli(['import', 'residents', birth], env)).code).toBe(0);
    const later = await runCli(['nightly', '--date', '2024-12-20', '--json'], env);
    expect(later.code, later.stderr).toBe(0);
    const { manifests } = JSON.parse(later.stdout) as { manifests: string[] };
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) expect(path.dirname(m)).toBe(path.join(work, 'data', 'notices', '141003', '2024-12-20'));
  }, 400_000);
});
