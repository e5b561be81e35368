/**
 * Errors the user can act on. Each carries a code and the context needed to fix the problem;
 * `exitCodeOf` and `httpStatusOf` are the one place that maps them to exit codes and HTTP
 * statuses (CONTRACT.md: 2 unusable input or configuration, 3 some rows rejected, 1 other).
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Configuration or input that cannot be used at all; nothing was changed. */
export class UnusableInputError extends AppError {}

/** Input that is fine but refers to something that does not exist. */
export class NotFoundError extends AppError {}

/** The request is not allowed for this user or session. */
export class ForbiddenError extends AppError {}

export class UnauthenticatedError extends AppError {}

/** The operation conflicts with the current state (e.g. a batch lock is held). */
export class ConflictError extends AppError {}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_UNUSABLE = 2;
export const EXIT_REJECTED = 3;

export function exitCodeOf(error: unknown): number {
  return error instanceof UnusableInputError ? EXIT_UNUSABLE : EXIT_FAILURE;
}

export function httpStatusOf(error: unknown): number {
  if (error instanceof UnusableInputError) return 400;
  if (error instanceof UnauthenticatedError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  return 500;
}
