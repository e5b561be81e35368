import { Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMANDS } from '../../src/cli/main.ts';

// `benefit --help` lists the commands from src/cli/main.ts without loading them: what it shows
// must be what the commands themselves say.
describe('commands loaded only when they run', () => {
  it('lists each command with its own term and description', async () => {
    const full = await buildProgram('all');
    const help = new Help();
    expect(COMMANDS.map((c) => [c.term, c.description])).toEqual(full.commands.map((c) => [help.subcommandTerm(c), c.description()]));
  });

  it('--help without loading any command is the same as with every command loaded', async () => {
    expect((await buildProgram([])).helpInformation()).toBe((await buildProgram('all')).helpInformation());
  });
});
