/** Asks a task's monitor to start writing a fresh log file at the log path (after it was renamed away). */
export interface LogReopener {
  /** Fails with `conflict` when no monitor is running for the task. */
  reopenLog(containerId: string): Promise<void>;
}
