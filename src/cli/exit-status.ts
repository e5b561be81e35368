import { EXIT_OK } from '../errors.ts';

/**
 * The exit code a finished command asks for (3 when rows were rejected). Kept here rather than
 * in process.exitCode, which embedded libraries (PGlite's runtime) overwrite when they close.
 */
let requested = EXIT_OK;

export function requestExitCode(code: number): void {
  requested = Math.max(requested, code);
}

export function requestedExitCode(): number {
  return requested;
}
