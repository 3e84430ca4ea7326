import { AppError } from '@berth/common';
import type { ErrorKind } from '@berth/common';

/**
 * `runtime create` failed. The message is the runtime's own (e.g. `runc create failed: unable
 * to start container process: exec: "nosuch": executable file not found in $PATH`), and
 * `exitCode` is what dockerd records as the container's exit code for such a start failure.
 */
export class TaskCreateError extends AppError {
  constructor(
    kind: ErrorKind,
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(kind, message, options);
    this.name = 'TaskCreateError';
  }
}

/**
 * dockerd's translateContainerdStartErr: a missing or non-executable command, or a mount onto
 * the wrong kind of file, is the user's configuration (400, exit 127 or 126), anything else is
 * an engine failure (500, exit 128).
 */
export function classifyCreateFailure(runtimeMessage: string): TaskCreateError {
  const detail = runtimeMessage.trim().replace(/\s+$/, '');
  const message = `OCI runtime create failed: ${detail}`;
  if (/executable file not found|no such file or directory|system cannot find the file specified/i.test(detail))
    return new TaskCreateError('invalid-argument', message, 127);
  if (/permission denied/i.test(detail)) return new TaskCreateError('invalid-argument', message, 126);
  if (/not a directory/i.test(detail))
    return new TaskCreateError(
      'invalid-argument',
      `${message}: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type`,
      128,
    );
  return new TaskCreateError('internal', message, 128);
}
