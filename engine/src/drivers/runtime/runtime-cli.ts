import { AppError } from '@berth/common';
import { CommandFailedError, runCommand } from '../../platform/run-command.js';
import type { RuntimeStatus } from '../../core/runtime/task-runtime.js';

/**
 * The runc-compatible command line (runc, crun) for everything after create. `--root` is a
 * per-data-root directory so two engines (or an engine and podman) never see each other's tasks.
 */
export class RuntimeCli {
  constructor(
    private readonly runtimePath: string,
    private readonly root: string,
  ) {}

  async start(id: string, signal?: AbortSignal): Promise<void> {
    await this.run(['start', id], signal);
  }

  async kill(id: string, signalName: string, all: boolean, signal?: AbortSignal): Promise<void> {
    await this.run(['kill', ...(all ? ['--all'] : []), id, signalName], signal);
  }

  async pause(id: string, signal?: AbortSignal): Promise<void> {
    await this.run(['pause', id], signal);
  }

  async resume(id: string, signal?: AbortSignal): Promise<void> {
    await this.run(['resume', id], signal);
  }

  /** `update --resources FILE`: the OCI LinuxResources JSON in a file (see ConmonTaskRuntime.update). */
  async update(id: string, resourcesFile: string, signal?: AbortSignal): Promise<void> {
    await this.run(['update', '--resources', resourcesFile, id], signal);
  }

  async pids(id: string, signal?: AbortSignal): Promise<number[]> {
    const stdout = await this.run(['ps', '--format', 'json', id], signal);
    const parsed = JSON.parse(stdout.trim() === '' ? '[]' : stdout) as unknown;
    return Array.isArray(parsed) ? parsed.filter((pid): pid is number => typeof pid === 'number') : [];
  }

  /** The runtime's status, or undefined when it does not know the id. */
  async state(id: string, signal?: AbortSignal): Promise<RuntimeStatus | undefined> {
    let stdout: string;
    try {
      stdout = await this.run(['state', id], signal);
    } catch (error) {
      if (AppError.is(error) && error.kind === 'not-found') return undefined;
      throw error;
    }
    let status: unknown;
    try {
      status = (JSON.parse(stdout) as { status?: unknown }).status;
    } catch (error) {
      throw new AppError('internal', `${this.runtimePath} state ${id}: unreadable output`, { cause: error });
    }
    switch (status) {
      case 'creating':
      case 'created':
        return 'created';
      case 'running':
        return 'running';
      case 'paused':
        return 'paused';
      case 'stopped':
        return 'stopped';
      default:
        throw new AppError('internal', `${this.runtimePath} state ${id}: unknown status ${String(status)}`);
    }
  }

  async delete(id: string, force: boolean, signal?: AbortSignal): Promise<void> {
    await this.run(['delete', ...(force ? ['--force'] : []), id], signal);
  }

  private async run(args: string[], signal?: AbortSignal, input?: string): Promise<string> {
    try {
      const result = await runCommand(this.runtimePath, ['--root', this.root, ...args], {
        ...(signal !== undefined ? { signal } : {}),
        ...(input !== undefined ? { input } : {}),
      });
      return result.stdout;
    } catch (error) {
      if (error instanceof CommandFailedError) throw classifyCliError(error, args);
      throw error;
    }
  }
}

/** runc and crun print one line of text; their wording decides the error kind. */
function classifyCliError(error: CommandFailedError, args: string[]): AppError {
  const detail = runtimeMessage(error.result.stderr || error.result.stdout) || error.message;
  const message = `${args[0] ?? 'runtime'}: ${detail}`;
  if (/does not exist|not found|no such file or directory/i.test(detail))
    return new AppError('not-found', message, { cause: error });
  if (/not running|not stopped|already running|has stopped|is paused|cannot start|cannot delete|cannot kill/i.test(detail))
    return new AppError('conflict', message, { cause: error });
  return new AppError('internal', message, { cause: error });
}

/**
 * runc writes `time="..." level=error msg="..."` (text) or a JSON object per line; keep only the
 * message so users see the runtime's words, not its log framing.
 */
export function runtimeMessage(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const messages = lines.map((line) => {
    if (line.startsWith('{')) {
      try {
        const parsed = JSON.parse(line) as { msg?: unknown };
        if (typeof parsed.msg === 'string') return parsed.msg;
      } catch {
        // not JSON after all: keep the line
      }
    }
    const logfmt = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (logfmt?.[1] !== undefined) return logfmt[1].replace(/\\(.)/g, '$1');
    return line;
  });
  return messages.join('; ');
}
