import type { ContainerHealth, ContainerHealthSource } from '../../core/containers/container-health.js';

/**
 * The health monitor, as presenters see it. Presenters are plain functions called from many
 * routes; the composition root sets the source once instead of threading it through each call.
 */
let source: ContainerHealthSource | undefined;

export function setContainerHealthSource(next: ContainerHealthSource | undefined): void {
  source = next;
}

export function containerHealth(containerId: string): ContainerHealth | undefined {
  return source?.healthOf(containerId);
}

/** The `docker ps` suffix of a running container with a healthcheck: `(healthy)`, `(health: starting)`. */
export function healthStatusSuffix(containerId: string): string {
  const health = containerHealth(containerId);
  if (health === undefined) return '';
  return health.Status === 'starting' ? ' (health: starting)' : ` (${health.Status})`;
}
