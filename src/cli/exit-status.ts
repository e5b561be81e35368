import { EXIT_FAILURE, EXIT_OK } from '../errors.ts';

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

/**
 * The exit code when the reader of our output closed it before everything was written (`benefit
 * decisions export | head -1`): 128 + SIGPIPE, what a shell reports for a process SIGPIPE
 * ended, which Node ignores. The command stops at once, without a message or stack trace.
 */
export const EXIT_OUTPUT_CLOSED = 141;

/**
 * Errors on stdout and stderr end the process with a line, never a stack trace: a closed pipe
 * (EPIPE) quietly with EXIT_OUTPUT_CLOSED, anything else (a full disk under a redirect) with 1.
 * Unheard, such an error is an uncaught exception, and a command waiting for 'drain' would wait
 * for ever.
 */
export function handleOutputErrors(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT_OUTPUT_CLOSED);
      if (stream === process.stdout && !process.stderr.destroyed) process.stderr.write(`benefit: cannot write the output: ${error.code ?? error.message}\n`);
      process.exit(EXIT_FAILURE);
    });
  }
}

/**
 * Resolves once everything written to `stream` so far has been handed to the system. On a pipe
 * Node writes asynchronously: process.exit() before this loses the end of the output.
 */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) {
      resolve();
      return;
    }
    // Written in order: the callback of an empty write runs after every earlier chunk's.
    stream.write('', () => resolve());
  });
}

/** Exits with `code` once stdout and stderr are flushed. */
export async function exitWhenFlushed(code: number): Promise<never> {
  await flushed(process.stdout);
  await flushed(process.stderr);
  process.exit(code);
}
