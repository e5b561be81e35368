import type { CompiledProgram } from '../engine/evaluate-household.ts';
import { UnusableInputError } from '../errors.ts';

/**
 * The worker's programs a batch job names, each with the rule version the batch loaded. A worker
 * whose rules differ from the batch's refuses the job rather than work with other rules than the
 * batch recorded: workers must be restarted when the rules folder changes.
 */
export function programsOfBatch(loaded: CompiledProgram[], wanted: { id: string; ruleVersion: string }[]): CompiledProgram[] {
  return wanted.map(({ id, ruleVersion }) => {
    const compiled = loaded.find((p) => p.program.spec.id === id);
    if (compiled?.program.ruleVersion !== ruleVersion) {
      throw new UnusableInputError(
        'rules_differ',
        `this worker has ${compiled ? `rule version ${compiled.program.ruleVersion}` : 'no rules'} for ${id}, the batch uses ${ruleVersion}: restart the workers with the batch's rules folder`,
      );
    }
    return compiled;
  });
}
