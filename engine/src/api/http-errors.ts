import type { ErrorKind } from '@berth/common';
import { toAppError } from '@berth/common';

/** The one mapping from error kind to HTTP status for the Docker API (moby's FromError). */
export function statusForKind(kind: ErrorKind): number {
  switch (kind) {
    case 'invalid-argument':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'not-modified':
      return 304;
    case 'not-implemented':
      return 501;
    case 'unavailable':
      return 503;
    case 'canceled':
      return 499;
    case 'internal':
      return 500;
  }
}

/** Status and JSON body for any thrown value. */
export function errorResponse(error: unknown): { status: number; body: { message: string } } {
  const appError = toAppError(error);
  return { status: statusForKind(appError.kind), body: { message: appError.message } };
}
