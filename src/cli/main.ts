import fs from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import { AppError, EXIT_FAILURE, EXIT_UNUSABLE, exitCodeOf } from '../errors.ts';
import { projectPath } from '../project-root.ts';
import { exitWhenFlushed, handleOutputErrors, requestedExitCode } from './exit-status.ts';
import { checkRequiredOptionsAfterUnknown } from './required-options.ts';

type Register = (program: Command) => void;

/**
 * Every command, in the order `benefit --help` lists them, with the term and description that
 * list shows. A command's module is loaded only when it runs or its help is asked for: loading
 * them all takes seconds (fastify, BullMQ, PDFKit…) that `--version`, `--help` and every other
 * command would pay. test/cli/lazy-commands.test.ts checks these against the commands' own.
 */
export const COMMANDS: { term: string; description: string; load: () => Promise<Register> }[] = [
  { term: 'db', description: 'database administration', load: async () => (await import('./commands/db.command.ts')).registerDbCommands },
  {
    term: 'generate [options]',
    description: 'write a realistic synthetic municipality: residents.csv, income.csv, accounts.csv, circumstances.csv',
    load: async () => (await import('./commands/generate.command.ts')).registerGenerateCommand,
  },
  {
    term: 'import [options] <kind> <file>',
    description: 'validate each row of a residents, income, accounts or circumstances file and queue it as a change',
    load: async () => (await import('./commands/import.command.ts')).registerImportCommand,
  },
  {
    term: 'worker [options]',
    description: 'run the BullMQ workers (start any number, on any number of machines)',
    load: async () => (await import('./commands/worker.command.ts')).registerWorkerCommand,
  },
  { term: 'serve [options]', description: 'HTTP API under /v1 and the staff review pages', load: async () => (await import('./commands/serve.command.ts')).registerServeCommand },
  { term: 'users', description: 'staff accounts', load: async () => (await import('./commands/users.command.ts')).registerUsersCommand },
  {
    term: 'demo [options]',
    description: 'the whole pipeline on a generated municipality, on the embedded defaults',
    load: async () => (await import('./commands/demo.command.ts')).registerDemoCommand,
  },
  { term: 'rules', description: 'program folders (rules as data)', load: async () => (await import('./commands/rules.command.ts')).registerRulesCommand },
  {
    term: 'nightly [options]',
    description: 'the nightly batch as of a date: apply queued changes, re-decide the households they affect',
    load: async () => (await import('./commands/nightly.command.ts')).registerNightlyCommand,
  },
  { term: 'decisions', description: 'recorded decisions', load: async () => (await import('./commands/decisions.command.ts')).registerDecisionsCommand },
  {
    term: 'municipality',
    description: "a municipality's settings for payments and notices (admin)",
    load: async () => (await import('./commands/municipality.command.ts')).registerMunicipalityCommand,
  },
  {
    term: 'payments',
    description: 'payment instructions: dates, the Zengin transfer file, bank results',
    load: async () => (await import('./commands/payments.command.ts')).registerPaymentsCommand,
  },
  {
    term: 'access-log [options]',
    description: "every access by staff to a person's data: who, when, what, why",
    load: async () => (await import('./commands/access-log.command.ts')).registerAccessLogCommand,
  },
  {
    term: 'simulate [options]',
    description: 'evaluate draft program folders and the rules in force on the population as of a date, and report the difference (writes nothing but the report)',
    load: async () => (await import('./commands/simulate.command.ts')).registerSimulateCommand,
  },
];

const nameOf = (term: string) => term.split(' ')[0];

/**
 * `benefit`: the one command the package installs (CONTRACT.md, Command line). The commands
 * named in `load` are registered in full, the others as a name and description only ('all' for
 * every command in full). Stubs are never run: the command that runs is always loaded.
 */
export async function buildProgram(load: string[] | 'all'): Promise<Command> {
  const stubTerms = new Map<Command, string>();
  const program = new Command('benefit')
    .description('Push-style benefit engine for Japanese municipalities')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    // A stub has neither the options nor the arguments its term shows.
    .configureHelp({ subcommandTerm: (cmd) => stubTerms.get(cmd) ?? new Help().subcommandTerm(cmd) });
  for (const c of COMMANDS) {
    if (load === 'all' || load.includes(nameOf(c.term))) (await c.load())(program);
    else stubTerms.set(program.command(nameOf(c.term)).description(c.description), c.term);
  }
  checkRequiredOptionsAfterUnknown(program);
  return program;
}

/** The commands `argv` runs or asks help for (`benefit import …`, `benefit help import`): none for `--version` or `--help`. */
function commandsIn(argv: string[]): string[] {
  const [first, second] = argv.slice(2);
  return first === 'help' && second !== undefined ? [second] : first !== undefined ? [first] : [];
}

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(commandsIn(argv))).parseAsync(argv);
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
