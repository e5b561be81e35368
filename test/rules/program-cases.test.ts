import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCases } from '../../src/rules/case-runner.ts';
import { loadPrograms } from '../../src/rules/program-loader.ts';

const RULES = fileURLToPath(new URL('../../rules', import.meta.url));

// Every case written next to every program in rules/ is a test here.
for (const program of loadPrograms(RULES)) {
  describe(`${program.spec.id} cases`, async () => {
    const results = await runCases(program);
    it.each(results.map((r) => [r.name, r]))('%s', (_name, r) => {
      expect(r.actual).toMatchObject(r.expected);
      if (r.evaluation) {
        expect(r.evaluation.explanation.conditions.length).toBeGreaterThan(0);
        for (const c of r.evaluation.explanation.conditions) expect(c.citation.title).toBeTruthy();
      }
    });
  });
}
