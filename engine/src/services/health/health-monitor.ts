import { containerEvent } from '../events/container-event.js';
import type { Logger } from '../../lib/logger.js';
import type { Container } from '../../core/containers/container.js';
import type { ContainerHealth, ContainerHealthSource, HealthProbeResult } from '../../core/containers/container-health.js';
import type { EventBus } from '../events/event-bus.js';
import type { CommandRun } from '../exec/exec-service.js';
import { formatDuration, healthcheckPlan, type HealthcheckPlan } from './healthcheck-config.js';
import { maxProbeOutput, recordProbe, startingHealth } from './health-state.js';

export interface HealthMonitorOptions {
  containers: { find(reference: string): Container | undefined; list(): Container[] };
  /** Runs a probe inside the container (ExecService.runCommand). */
  runCommand(containerId: string, cmd: string[], options: { timeoutMs: number; maxOutput: number }): Promise<CommandRun>;
  events: EventBus;
  logger: Logger;
}

interface Watch {
  plan: HealthcheckPlan;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

/**
 * Runs containers' healthchecks (dockerd's health monitor): a probe every interval while the
 * container runs, State.Health updated from each result, `health_status: X` events on changes.
 * State lives here, in memory: after an engine restart a running container starts over as
 * `starting` and is probed again, as dockerd does for containers it restarts.
 */
export class HealthMonitor implements ContainerHealthSource {
  private readonly health = new Map<string, ContainerHealth>();
  private readonly watches = new Map<string, Watch>();
  private readonly logger: Logger;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: HealthMonitorOptions) {
    this.logger = options.logger.child({ component: 'health' });
  }

  /** Follows container starts and exits, and picks up containers already running. */
  start(): void {
    this.unsubscribe = this.options.events.subscribe((event) => {
      if (event.type !== 'container') return;
      if (event.action === 'start') this.watch(event.actor.id);
      else if (event.action === 'die') this.unwatch(event.actor.id);
      else if (event.action === 'destroy') {
        this.unwatch(event.actor.id);
        this.health.delete(event.actor.id);
      }
    });
    for (const container of this.options.containers.list()) {
      if (container.state.status === 'running') this.watch(container.id);
    }
  }

  stop(): void {
    this.unsubscribe?.();
    for (const id of [...this.watches.keys()]) this.unwatch(id);
  }

  healthOf(containerId: string): ContainerHealth | undefined {
    return this.health.get(containerId);
  }

  private watch(containerId: string): void {
    this.unwatch(containerId);
    const container = this.options.containers.find(containerId);
    if (container === undefined) return;
    const plan = healthcheckPlan(container.config);
    if (plan === undefined) {
      this.health.delete(containerId);
      return;
    }
    const startedAt = Date.parse(container.state.startedAt);
    const watch: Watch = { plan, startedAt: Number.isNaN(startedAt) ? Date.now() : startedAt, timer: undefined, stopped: false };
    this.watches.set(containerId, watch);
    this.health.set(containerId, startingHealth());
    this.schedule(containerId, watch);
  }

  private unwatch(containerId: string): void {
    const watch = this.watches.get(containerId);
    if (watch === undefined) return;
    watch.stopped = true;
    if (watch.timer !== undefined) clearTimeout(watch.timer);
    this.watches.delete(containerId);
  }

  /** The next probe one interval after the previous one ended (dockerd's ticker does not overlap probes either). */
  private schedule(containerId: string, watch: Watch): void {
    watch.timer = setTimeout(() => {
      watch.timer = undefined;
      void this.probe(containerId, watch).finally(() => {
        if (!watch.stopped) this.schedule(containerId, watch);
      });
    }, watch.plan.intervalMs);
    watch.timer.unref();
  }

  private async probe(containerId: string, watch: Watch): Promise<void> {
    const start = new Date();
    let result: HealthProbeResult;
    try {
      const run = await this.options.runCommand(containerId, watch.plan.command, {
        timeoutMs: watch.plan.timeoutMs,
        maxOutput: maxProbeOutput,
      });
      result = run.timedOut
        ? {
            Start: start.toISOString(),
            End: new Date().toISOString(),
            ExitCode: -1,
            Output: `Health check exceeded timeout (${formatDuration(watch.plan.timeoutMs)})`,
          }
        : { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: run.exitCode, Output: run.output };
    } catch (error) {
      if (watch.stopped) return;
      result = {
        Start: start.toISOString(),
        End: new Date().toISOString(),
        ExitCode: -1,
        Output: error instanceof Error ? error.message : String(error),
      };
    }
    if (watch.stopped) return;
    const previous = this.health.get(containerId) ?? startingHealth();
    const next = recordProbe(previous, result, {
      retries: watch.plan.retries,
      withinStartPeriod: start.getTime() - watch.startedAt < watch.plan.startPeriodMs,
    });
    this.health.set(containerId, next);
    if (next.Status !== previous.Status) this.publish(containerId, `health_status: ${next.Status}`);
  }

  private publish(containerId: string, action: string): void {
    const container = this.options.containers.find(containerId);
    if (container === undefined) return;
    this.logger.debug({ containerId, action }, 'health changed');
    this.options.events.publish(containerEvent(container, action));
  }
}
