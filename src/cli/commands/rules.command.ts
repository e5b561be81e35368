import path from 'node:path';
import type { Command } from 'commander';
import { EXIT_REJECTED } from '../../errors.ts';
import { runCases } from '../../rules/case-runner.ts';
import { loadPrograms } from '../../rules/program-loader.ts';
import { requestExitCode } from '../exit-status.ts';

export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('program folders (rules as data)');
  rules
    .command('check')
    .description('validate program folders and run the cases written next to them')
    .argument('[dir]', 'a rules folder or one program folder', 'rules')
    .action(async (dir: string) => {
      // An invalid folder throws ProgramInvalidError: exit 2 with every problem listed.
      const programs = loadPrograms(path.resolve(dir));
      let failed = 0;
      for (const p of programs) {
        const results = await runCases(p);
        process.stdout.write(`${p.spec.id} (rule_version ${p.ruleVersion}): ${results.filter((r) => r.passed).length}/${results.length} cases pass\n`);
        for (const r of results.filter((x) => !x.passed)) {
          failed++;
          process.stdout.write(`  FAIL ${r.name}\n    expected ${JSON.stringify(r.expected)}\n    got      ${JSON.stringify(r.actual)}\n`);
        }
      }
      if (failed > 0) requestExitCode(EXIT_REJECTED);
    });
}
