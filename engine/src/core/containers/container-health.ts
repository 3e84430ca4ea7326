/** One healthcheck probe as `docker inspect` shows it (State.Health.Log). */
export interface HealthProbeResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** State.Health of a container with a healthcheck. */
export interface ContainerHealth {
  Status: HealthStatus;
  FailingStreak: number;
  /** The last probes, oldest first (at most five, as dockerd keeps). */
  Log: HealthProbeResult[];
}

/** Where presenters ask for a container's health; the health monitor answers. */
export interface ContainerHealthSource {
  healthOf(containerId: string): ContainerHealth | undefined;
}
