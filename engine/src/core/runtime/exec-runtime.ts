/**
 * Running extra processes inside a live task (`docker exec`, healthchecks). Each process gets its
 * own monitor, so its stdio and exit code are held outside the engine like the task's own.
 */
import { AppError } from '@berth/common';
import type { TaskAttachment } from './task-runtime.js';

export interface ExecProcessSpec {
  /** Unique per exec session; names the session's files. */
  execId: string;
  args: string[];
  /** The complete environment of the process. */
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  tty: boolean;
  /** Give the process a stdin pipe fed from the attachment. */
  stdin: boolean;
  /** Connect before the process starts so no output is lost; false runs it detached (output discarded). */
  attach: boolean;
  /** Replaces the task's capability sets (privileged exec); the task's own sets otherwise. */
  capabilities?: string[];
  consoleSize?: { rows: number; columns: number };
}

export interface ExecProcess {
  /** Host PID of the process. */
  pid: number;
  /** The process's stdio; undefined for a detached exec. */
  attachment: TaskAttachment | undefined;
  /** Resolves with the exit code once the process has exited and its output has been delivered. */
  exited: Promise<number>;
  /** Resizes the process's terminal. */
  resize(size: { rows: number; columns: number }): Promise<void>;
  /** Sends a signal to the process (used to enforce healthcheck timeouts). */
  kill(signal: 'KILL' | 'TERM'): void;
}

export interface ExecRuntime {
  /**
   * Starts a process in the running task of `containerId` with the task's namespaces, cgroup and
   * security settings. Resolves once it runs; fails with `conflict` when the task is not running.
   */
  exec(containerId: string, spec: ExecProcessSpec, signal?: AbortSignal): Promise<ExecProcess>;
}

/**
 * The runtime could not start the process. `exitCode` is what dockerd records for it: 127 when
 * the command does not exist, 126 when it cannot be run, 128 otherwise.
 */
export class ExecStartError extends AppError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(exitCode === 128 ? 'internal' : 'invalid-argument', message);
    this.name = 'ExecStartError';
  }
}
