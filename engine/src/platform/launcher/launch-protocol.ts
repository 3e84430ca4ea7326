/**
 * The messages between the engine and its process launcher (see process-launcher.ts). Both ends
 * are this codebase, started together, so the shapes are trusted, not validated.
 */

/** A program to run to completion, its output collected. */
export interface CommandRequest {
  file: string;
  args: readonly string[];
  input?: string | Uint8Array;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface CommandOutcome {
  stdout: string;
  stderr: string;
  /** null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** A container monitor that daemonizes itself and reports on a sync pipe (conmon). */
export interface MonitorRequest {
  file: string;
  args: readonly string[];
  cwd: string;
  /** The whole environment of the monitor; the sync pipe variable is added to it. */
  env: Record<string, string>;
  /** Variable that tells the monitor the fd number of its sync pipe (conmon: `_OCI_SYNCPIPE`). */
  syncPipeEnv: string;
}

export interface MonitorOutcome {
  /** First line the monitor wrote on its sync pipe; undefined when it closed the pipe silently. */
  syncLine: string | undefined;
  /** Exit status of the process we started (conmon's short-lived first half). */
  exitCode: number | null;
  /** What the monitor printed before it detached its stdio (its argument errors, mostly). */
  stderr: string;
}

/** The program could not be started at all (missing, not executable), or the caller gave up. */
export interface LaunchFailure {
  message: string;
  aborted: boolean;
}

export type LaunchRequest =
  | { id: number; kind: 'command'; request: CommandRequest }
  | { id: number; kind: 'monitor'; request: MonitorRequest }
  /** The caller gave up: a command is terminated (SIGTERM), a monitor is left to the caller. */
  | { id: number; kind: 'cancel' };

export type LaunchReply =
  | { id: number; kind: 'command'; outcome: CommandOutcome }
  | { id: number; kind: 'monitor'; outcome: MonitorOutcome }
  | { id: number; kind: 'failed'; failure: LaunchFailure };
