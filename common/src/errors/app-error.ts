import type { ErrorKind } from './error-kind.js';

/**
 * The one error type thrown across layers. `message` is what a user sees (Docker's wording where
 * Docker has one); `cause` keeps the low-level error for logs.
 */
export class AppError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.kind = kind;
  }

  static is(value: unknown): value is AppError {
    return value instanceof AppError;
  }
}

export const invalidArgument = (message: string, cause?: unknown): AppError =>
  new AppError('invalid-argument', message, { cause });
export const notFound = (message: string, cause?: unknown): AppError => new AppError('not-found', message, { cause });
export const conflict = (message: string, cause?: unknown): AppError => new AppError('conflict', message, { cause });
export const unavailable = (message: string, cause?: unknown): AppError => new AppError('unavailable', message, { cause });
export const internal = (message: string, cause?: unknown): AppError => new AppError('internal', message, { cause });

/** Wraps any thrown value as an AppError, keeping AppErrors as they are. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error) {
    if (error.name === 'AbortError') return new AppError('canceled', 'operation canceled', { cause: error });
    return new AppError('internal', error.message, { cause: error });
  }
  return new AppError('internal', String(error));
}
