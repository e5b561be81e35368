#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npm install` is the only set-up step.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/main.ts');
// Exits with the command's code once its output is flushed (src/cli/main.ts).
await run(process.argv);
