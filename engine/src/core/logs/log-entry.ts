import type { OutputStream } from '../runtime/task-runtime.js';

/** One record of a container's output log. */
export interface LogEntry {
  stream: OutputStream;
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
  /** The text, with its newline unless `partial`. */
  data: Buffer;
  /** True for a chunk of a line longer than the monitor's buffer (more follows). */
  partial: boolean;
}

export interface LogReadOptions {
  /** Only entries at or after this time (ns). */
  sinceNano?: bigint;
  /** Only entries before this time (ns). */
  untilNano?: bigint;
  /** Only the last N lines (across both streams). */
  tail?: number;
  /** Keep reading as the log grows until `isFinished()` and the file is drained. */
  follow: boolean;
  isFinished: () => boolean;
  /** Settles when the container's process ends: a follow then ends at once instead of at its next poll. */
  finished?: Promise<unknown>;
  signal: AbortSignal;
}

/** Reads one container's log file (the format is the log driver's business). */
export type ContainerLogReader = (
  path: string,
  options: LogReadOptions,
  emit: (entry: LogEntry) => void | Promise<void>,
) => Promise<void>;
