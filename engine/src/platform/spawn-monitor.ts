import { AppError } from '@berth/common';
import type { LaunchFailure, MonitorOutcome } from './launcher/launch-protocol.js';
import { processLauncher } from './launcher/process-launcher.js';

export interface SpawnMonitorOptions {
  cwd: string;
  /** The whole environment of the monitor; the sync pipe variable is added here. */
  env: Record<string, string>;
  /** Variable that tells the monitor the fd number of its sync pipe (conmon: `_OCI_SYNCPIPE`). */
  syncPipeEnv: string;
  signal?: AbortSignal;
}

export type SpawnMonitorResult = MonitorOutcome;

/**
 * Starts a container monitor that daemonizes itself and outlives the engine (conmon), and
 * resolves once it reported on its sync pipe and its first half exited. How it is started (its
 * own process group, only its stdio and the sync pipe inherited) is in local-spawn.ts.
 */
export function spawnMonitor(file: string, args: readonly string[], options: SpawnMonitorOptions): Promise<SpawnMonitorResult> {
  return processLauncher
    .startMonitor({ file, args, cwd: options.cwd, env: options.env, syncPipeEnv: options.syncPipeEnv }, options.signal)
    .catch((failure: LaunchFailure) => {
      if (failure.aborted) throw new AppError('canceled', `${file} canceled`);
      throw new AppError('unavailable', `cannot run ${file}: ${failure.message}`);
    });
}
