import type { ContainerConfig } from '../../core/containers/container.js';

/** A container's healthcheck with dockerd's defaults applied (durations in ms). */
export interface HealthcheckPlan {
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
}

/** `Config.Healthcheck` as the API and image configs carry it (durations in nanoseconds, 0 meaning unset). */
export interface HealthcheckConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

const inheritedFields = ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const;

/**
 * dockerd's merge of a create request's healthcheck with the image's (daemon/commit.go): with
 * none, the image's applies; otherwise each field the client left empty (no Test, a zero duration
 * or retry count) comes from the image, so `--health-interval 1s` alone keeps the image's test.
 * `--no-healthcheck` sends Test `["NONE"]`, which is not empty: it disables the image's check.
 */
export function mergeHealthcheck(client: unknown, image: HealthcheckConfig | null | undefined): unknown {
  if (image === undefined || image === null) return client;
  if (client === undefined || client === null) return { ...image };
  // Not an object: left for the healthcheck reader to ignore, as before the merge.
  if (typeof client !== 'object' || Array.isArray(client)) return client;
  const merged: Record<string, unknown> = { ...(client as Record<string, unknown>) };
  const test = merged['Test'];
  if ((!Array.isArray(test) || test.length === 0) && image.Test !== undefined && image.Test !== null) merged['Test'] = image.Test;
  for (const field of inheritedFields) {
    const value = merged[field];
    if ((value === undefined || value === null || value === 0) && image[field] !== undefined) merged[field] = image[field];
  }
  return merged;
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
