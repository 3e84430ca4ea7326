import { AppError } from '@berth/common';
import type { CommandRequest, LaunchFailure } from './launcher/launch-protocol.js';
import { processLauncher } from './launcher/process-launcher.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunCommandOptions {
  signal?: AbortSignal;
  input?: string | Buffer;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Do not throw when the command exits non-zero. */
  allowFailure?: boolean;
}

/**
 * Runs a program to completion and collects its output. This module (with its siblings in
 * platform/) is the only place in the engine that creates processes: everything else asks here.
 * The process is made by the launcher helper, off the engine's event loop (see ProcessLauncher).
 */
export function runCommand(file: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  const request: CommandRequest = { file, args };
  if (options.input !== undefined) request.input = options.input;
  if (options.cwd !== undefined) request.cwd = options.cwd;
  if (options.env !== undefined) request.env = options.env;
  return processLauncher.runCommand(request, options.signal).then(
    (outcome) => {
      const result: CommandResult = { stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode ?? 128 };
      if (result.exitCode !== 0 && options.allowFailure !== true) {
        const detail =
          result.stderr.trim() ||
          result.stdout.trim() ||
          (outcome.signal !== null ? `killed by ${outcome.signal}` : `exit status ${result.exitCode}`);
        throw new CommandFailedError(file, args, result, detail);
      }
      return result;
    },
    (failure: LaunchFailure) => {
      if (failure.aborted) throw new AppError('canceled', `${file} canceled`);
      throw new AppError('internal', `cannot run ${file}: ${failure.message}`);
    },
  );
}

export class CommandFailedError extends AppError {
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly result: CommandResult,
    detail: string,
  ) {
    super('internal', `${file} ${args[0] ?? ''} failed: ${detail}`.replace(/\s+failed/, ' failed'));
  }
}
