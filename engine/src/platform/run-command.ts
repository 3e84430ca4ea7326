import { spawn, type SpawnOptions } from 'node:child_process';
import { AppError } from '@berth/common';

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
 */
export function runCommand(file: string, args: readonly string[], options: RunCommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { stdio: ['pipe', 'pipe', 'pipe'] };
    if (options.signal !== undefined) spawnOptions.signal = options.signal;
    if (options.cwd !== undefined) spawnOptions.cwd = options.cwd;
    if (options.env !== undefined) spawnOptions.env = options.env;
    const child = spawn(file, args, spawnOptions);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new AppError('canceled', `${file} canceled`, { cause: error }));
      else reject(new AppError('internal', `cannot run ${file}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      const result: CommandResult = {
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? 128,
      };
      if (result.exitCode !== 0 && options.allowFailure !== true) {
        const detail =
          result.stderr.trim() || result.stdout.trim() || (signal ? `killed by ${signal}` : `exit status ${result.exitCode}`);
        reject(new CommandFailedError(file, args, result, detail));
        return;
      }
      resolve(result);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
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
