#!/usr/bin/env -S node --max-semi-space-size=64
// A young generation of up to 64 MB a half (Node's default: 16): a worker's chunk builds and drops
// hundreds of megabytes of snapshots and explanations, and with the default most of it lived just
// long enough to be copied into the old generation. Garbage collection took a third less of the
// workers' time on two incremental nights at 450,000 households (docs/performance.md, session 20).
// Runs the JavaScript that `npm install` compiled into dist/ (the `prepare` script): plain Node
// starts in a fraction of a second, where compiling the sources at each start took seconds.
import fs from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
let main;
if (fs.existsSync(compiled)) {
  main = await import(compiled.href);
} else {
  // Only in a checkout where dist/ was never built (`npm install --ignore-scripts`, say): the
  // sources through tsx, seconds slower. `npm run build` makes the fast path.
  (await import('tsx/esm/api')).register();
  main = await import('../src/cli/main.ts');
}
// Exits with the command's code once its output is flushed (src/cli/main.ts).
await main.run(process.argv);
