import type { ContainerConfig } from '../../core/containers/container.js';

/** A container's healthcheck with dockerd's defaults applied (durations in ms). */
export interface HealthcheckPlan {
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
}

const defaultIntervalMs = 30_000;
const defaultTimeoutMs = 30_000;
const defaultRetries = 3;

/**
 * Reads `Config.Healthcheck` (`Test` is `["CMD", args...]`, `["CMD-SHELL", command]` or
 * `["NONE"]`; durations in nanoseconds, 0 meaning the default). Undefined when there is no check.
 */
export function healthcheckPlan(config: ContainerConfig): HealthcheckPlan | undefined {
  const healthcheck = config['Healthcheck'] as
    { Test?: unknown; Interval?: unknown; Timeout?: unknown; StartPeriod?: unknown; Retries?: unknown } | null | undefined;
  if (healthcheck === undefined || healthcheck === null || !Array.isArray(healthcheck.Test)) return undefined;
  const test = healthcheck.Test.filter((item): item is string => typeof item === 'string');
  const [kind, ...rest] = test;
  let command: string[];
  if (kind === 'CMD') command = rest;
  else if (kind === 'CMD-SHELL') command = ['/bin/sh', '-c', rest.join(' ')];
  else return undefined;
  if (command.length === 0) return undefined;
  return {
    command,
    intervalMs: durationMs(healthcheck.Interval, defaultIntervalMs),
    timeoutMs: durationMs(healthcheck.Timeout, defaultTimeoutMs),
    startPeriodMs: durationMs(healthcheck.StartPeriod, 0),
    retries: typeof healthcheck.Retries === 'number' && healthcheck.Retries > 0 ? healthcheck.Retries : defaultRetries,
  };
}

function durationMs(nanoseconds: unknown, fallback: number): number {
  return typeof nanoseconds === 'number' && nanoseconds > 0 ? Math.max(1, Math.round(nanoseconds / 1_000_000)) : fallback;
}

/** go's time.Duration String() for the timeout message (`30s`, `500ms`, `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const totalSeconds = ms / 1000;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = Number((totalSeconds - minutes * 60).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
