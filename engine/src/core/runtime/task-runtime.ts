/**
 * A task is the running init process of a container (containerd's word). The TaskRuntime starts
 * it through a per-container monitor (conmon) and an OCI runtime (runc or crun), so the process,
 * its stdio, its log file and its exit code outlive the engine process.
 */

/** Minimal typing of the OCI runtime spec (config.json); see core/runtime/oci-spec.ts for details. */
import type { OciLinuxResources, OciSpec } from './oci-spec.js';

export interface TaskSpec {
  containerId: string;
  /** Directory that receives config.json; the monitor keeps its own files beside it. */
  bundleDir: string;
  spec: OciSpec;
  tty: boolean;
  /** Keep a stdin pipe open for attach clients (`docker run -i`). */
  openStdin: boolean;
  /** Close the container's stdin when the first attached client closes it (`StdinOnce`). */
  stdinOnce: boolean;
  /** The monitor writes the container's output here (k8s-file format: `<RFC3339Nano> stdout|stderr F|P <text>`). */
  logPath: string;
  /** Initial terminal size for TTY containers. */
  consoleSize?: { rows: number; columns: number };
}

export interface TaskCreated {
  /** PID of the container's init process on the host. */
  pid: number;
  /** PID of the monitor process that owns stdio and the exit code. */
  monitorPid: number;
}

export interface TaskExit {
  exitCode: number;
  finishedAt: Date;
  oomKilled: boolean;
}

export type RuntimeStatus = 'created' | 'running' | 'paused' | 'stopped';

export type OutputStream = 'stdout' | 'stderr';

/** A live connection to a task's stdio through its monitor. */
export interface TaskAttachment {
  /** Output as the monitor forwards it. For TTY tasks everything arrives as stdout. */
  onOutput(listener: (stream: OutputStream, data: Buffer) => void): void;
  /** Called once when the monitor closes the connection (the task's output has ended). */
  onClose(listener: () => void): void;
  writeStdin(data: Buffer): void;
  /** Closes the task's stdin (half-close), leaving output flowing. */
  closeStdin(): void;
  /** Drops this connection; the task keeps running. */
  close(): void;
}

export interface TaskRuntime {
  /** Starts the monitor, which runs `<runtime> create`: the task exists but has not started. */
  create(spec: TaskSpec, signal?: AbortSignal): Promise<TaskCreated>;
  /** Connects to the monitor's attach socket; call before start() to see all output. */
  attach(containerId: string): Promise<TaskAttachment>;
  start(containerId: string): Promise<void>;
  /** Sends a signal (name without SIG, or number) to the init process, or to all processes. */
  kill(containerId: string, signal: string | number, options?: { all?: boolean }): Promise<void>;
  /** Resizes the task's terminal. */
  resize(containerId: string, size: { rows: number; columns: number }): Promise<void>;
  /** The runtime's view of the task, or undefined when the runtime does not know it. */
  status(containerId: string): Promise<RuntimeStatus | undefined>;
  /** Resolves when the task has exited; works for tasks created by an earlier engine process. */
  waitExit(containerId: string, signal?: AbortSignal): Promise<TaskExit>;
  /** The recorded exit if the task has exited, else undefined. */
  readExit(containerId: string): Promise<TaskExit | undefined>;
  /** Freezes every process of the task (cgroup freezer). */
  pause(containerId: string): Promise<void>;
  /** Thaws a paused task. */
  resume(containerId: string): Promise<void>;
  /** Changes the cgroup limits of a live task. */
  update(containerId: string, resources: OciLinuxResources): Promise<void>;
  /** Host PIDs of every process in the task's cgroup. */
  pids(containerId: string): Promise<number[]>;
  /** Removes runtime state and monitor files; kills the task first when `force`. */
  delete(containerId: string, options?: { force?: boolean }): Promise<void>;
}
