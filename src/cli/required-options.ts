import type { Command } from 'commander';

/**
 * Commander checks required options before unknown ones, so `nightly --dat 2024-12-13` said
 * "required option '--date' not specified" and hid the typo. Here the required options of
 * `program`'s commands are checked in a preAction hook instead, which runs after commander has
 * refused unknown options: a mistyped option is named (with commander's "Did you mean"), and a
 * required option still missing is named as before.
 */
export function checkRequiredOptionsAfterUnknown(program: Command): void {
  const required = new Map<Command, { flags: string; key: string }[]>();
  const visit = (cmd: Command) => {
    const own = cmd.options.filter((o) => o.mandatory);
    for (const o of own) o.mandatory = false;
    if (own.length > 0) required.set(cmd, own.map((o) => ({ flags: o.flags, key: o.attributeName() })));
    cmd.commands.forEach(visit);
  };
  visit(program);
  program.hook('preAction', (_program, actionCommand) => {
    for (const o of required.get(actionCommand) ?? []) {
      if (actionCommand.getOptionValue(o.key) === undefined) {
        actionCommand.error(`error: required option '${o.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
      }
    }
  });
}
