import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { AppError, EXIT_FAILURE, EXIT_UNUSABLE, exitCodeOf } from '../errors.ts';
import { exitWhenFlushed, handleOutputErrors, requestedExitCode } from './exit-status.ts';
import { registerAccessLogCommand } from './commands/access-log.command.ts';
import { registerDbCommands } from './commands/db.command.ts';
import { registerDecisionsCommand } from './commands/decisions.command.ts';
import { registerMunicipalityCommand } from './commands/municipality.command.ts';
import { registerPaymentsCommand } from './commands/payments.command.ts';
import { registerNightlyCommand } from './commands/nightly.command.ts';
import { registerDemoCommand } from './commands/demo.command.ts';
import { registerGenerateCommand } from './commands/generate.command.ts';
import { registerImportCommand } from './commands/import.command.ts';
import { registerRulesCommand } from './commands/rules.command.ts';
import { registerServeCommand } from './commands/serve.command.ts';
import { registerSimulateCommand } from './commands/simulate.command.ts';
import { registerUsersCommand } from './commands/users.command.ts';
import { registerWorkerCommand } from './commands/worker.command.ts';

/** `benefit`: the one command the package installs (CONTRACT.md, Command line). */
export function buildProgram(): Command {
  const program = new Command('benefit')
    .description('Push-style benefit engine for Japanese municipalities')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerDbCommands(program);
  registerGenerateCommand(program);
  registerImportCommand(program);
  registerWorkerCommand(program);
  registerServeCommand(program);
  registerUsersCommand(program);
  registerDemoCommand(program);
  registerRulesCommand(program);
  registerNightlyCommand(program);
  registerDecisionsCommand(program);
  registerMunicipalityCommand(program);
  registerPaymentsCommand(program);
  registerAccessLogCommand(program);
  registerSimulateCommand(program);
  return program;
}

function packageVersion(): string {
  const pkg = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return requestedExitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_UNUSABLE;
    }
    const message = error instanceof AppError ? error.message : (error as Error)?.stack ?? String(error);
    process.stderr.write(`benefit: ${message}\n`);
    return error instanceof AppError ? exitCodeOf(error) : EXIT_FAILURE;
  }
}

/**
 * What bin/benefit.js runs: the command, then exit with its code once its output is flushed
 * (explicitly: the code is the command's, and no idle handle of a library keeps us alive).
 */
export async function run(argv: string[]): Promise<never> {
  handleOutputErrors();
  return exitWhenFlushed(await main(argv));
}
