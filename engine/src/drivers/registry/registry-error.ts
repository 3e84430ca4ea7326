import { AppError } from '@berth/common';
import type { ErrorKind } from '@berth/common';

/** An AppError from talking to a registry, telling the caller's retry loop whether trying again can help. */
export class RegistryError extends AppError {
  constructor(
    kind: ErrorKind,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; statusCode?: number },
  ) {
    super(kind, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options?.statusCode;
  }

  readonly statusCode: number | undefined;
}

interface RegistryErrorBody {
  errors?: { code?: string; message?: string }[];
}

/** `code: message` from the registry's JSON error body, or the HTTP status when there is none. */
export function describeRegistryErrorBody(text: string, statusCode: number): string {
  try {
    const body = JSON.parse(text) as RegistryErrorBody;
    const first = body.errors?.[0];
    if (first?.code || first?.message) {
      const code = (first.code ?? '').toLowerCase().replace(/_/g, ' ');
      return [code, first.message].filter(Boolean).join(': ');
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `unexpected HTTP status ${statusCode}`;
}

/** Maps a failing registry status to an error kind and retryability (moby's list of "do not retry" codes). */
export function registryStatusError(statusCode: number, what: string, bodyText: string): RegistryError {
  const detail = describeRegistryErrorBody(bodyText, statusCode);
  if (statusCode === 401) return new RegistryError('unauthorized', `${what}: unauthorized: ${detail}`, false, { statusCode });
  if (statusCode === 403) return new RegistryError('forbidden', `${what}: denied: ${detail}`, false, { statusCode });
  if (statusCode === 404) return new RegistryError('not-found', `${what}: ${detail}`, false, { statusCode });
  if (statusCode === 429) return new RegistryError('unavailable', `${what}: toomanyrequests: ${detail}`, false, { statusCode });
  if (statusCode >= 500) return new RegistryError('unavailable', `${what}: ${detail}`, true, { statusCode });
  return new RegistryError('internal', `${what}: ${detail}`, false, { statusCode });
}
