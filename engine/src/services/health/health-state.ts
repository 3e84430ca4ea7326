import type { ContainerHealth, HealthProbeResult } from '../../core/containers/container-health.js';

/** dockerd keeps this many probe results in State.Health.Log. */
export const maxHealthLogEntries = 5;

/** dockerd truncates a probe's output to this many bytes. */
export const maxProbeOutput = 4096;

export function startingHealth(): ContainerHealth {
  return { Status: 'starting', FailingStreak: 0, Log: [] };
}

/**
 * dockerd's handleProbeResult: exit 0 is healthy and resets the streak; a failure counts towards
 * `retries`, except while a container that never passed is within its start period.
 */
export function recordProbe(
  health: ContainerHealth,
  result: HealthProbeResult,
  options: { retries: number; withinStartPeriod: boolean },
): ContainerHealth {
  const log = [...health.Log, result].slice(-maxHealthLogEntries);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  if (health.Status === 'starting' && options.withinStartPeriod) return { ...health, Log: log };
  const failingStreak = health.FailingStreak + 1;
  return { Status: failingStreak >= options.retries ? 'unhealthy' : health.Status, FailingStreak: failingStreak, Log: log };
}
