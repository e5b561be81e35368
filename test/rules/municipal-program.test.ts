import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileProgram, evaluateHousehold } from '../../src/engine/evaluate-household.ts';
import { snapshotOfCase } from '../../src/rules/case-runner.ts';
import { loadPrograms, ProgramInvalidError } from '../../src/rules/program-loader.ts';

const SOURCE = fileURLToPath(new URL('../../rules/birth-gift-2024', import.meta.url));

function draftWith(edit: (parameters: any) => void): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'benefit-rules-')), 'birth-gift-2024');
  fs.cpSync(SOURCE, dir, { recursive: true });
  const file = path.join(dir, 'parameters.json');
  const parameters = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(parameters);
  fs.writeFileSync(file, JSON.stringify(parameters, null, 2));
  return path.dirname(dir);
}

describe('a municipality adds or changes its own program as data alone', () => {
  it('a copy of the folder with a larger gift pays the larger gift, in that municipality only', async () => {
    const rulesDir = draftWith((p) => (p.gift_amount.values[0].value = 70000));
    const [program] = loadPrograms(rulesDir);
    const compiled = compileProgram(program);
    const firstChild = program.cases[0];
    const own = await evaluateHousehold(compiled, snapshotOfCase(program, firstChild), firstChild.as_of);
    expect(own).toMatchObject({ outcome: 'eligible', amount_yen: 70000 });
    expect(own!.explanation.amount.steps[0]).toMatchObject({ parameter: 'gift_amount', value_yen: 70000 });
    const elsewhere = await evaluateHousehold(compiled, snapshotOfCase(program, { ...firstChild, municipality_code: '131016' }), firstChild.as_of);
    expect(elsewhere).toBeUndefined();
  });

  it('records a different rule_version for the changed folder', () => {
    const original = loadPrograms(path.dirname(SOURCE)).find((p) => p.spec.id === 'birth-gift-2024')!;
    const changed = loadPrograms(draftWith((p) => (p.gift_amount.values[0].value = 70000)))[0];
    expect(changed.ruleVersion).not.toBe(original.ruleVersion);
    expect(changed.ruleVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses a folder whose dated values overlap, naming the file and parameter', () => {
    const rulesDir = draftWith((p) => p.gift_amount.values.push({ ...p.gift_amount.values[0], value: 1 }));
    expect(() => loadPrograms(rulesDir)).toThrow(ProgramInvalidError);
    expect(() => loadPrograms(rulesDir)).toThrow(/parameters.json gift_amount: the value from 2025-03-31 has no end before 2025-03-31/);
  });
});
