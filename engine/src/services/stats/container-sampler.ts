import type { Container } from '../../core/containers/container.js';
import type { ContainerStatsProbe, ContainerStatsSample, StatsSource } from '../../core/stats/container-stats.js';
import type { Logger } from '../../lib/logger.js';

/** What a sampler hands its listeners once per interval. */
export type SamplerOutput = { kind: 'sample'; name: string; sample: ContainerStatsSample | undefined } | { kind: 'removed' };

export type SamplerListener = (output: SamplerOutput) => void;

export interface SamplerDependencies {
  source: StatsSource;
  find(id: string): Container | undefined;
  intervalMs: number;
  logger: Logger;
}

/**
 * Samples one container for every client watching it: one set of open files per container,
 * whatever the number of clients. The service's single ticker calls tick() once per interval for
 * all containers, so the engine wakes once per interval, not once per container or client. While
 * the container is not running it reports `undefined` (Docker's zeros); once the container is
 * removed it reports `removed` and stops.
 */
export class ContainerSampler {
  private readonly listeners = new Set<SamplerListener>();
  private probe: { pid: number; probe: ContainerStatsProbe } | undefined;
  private latest: SamplerOutput | undefined;
  private lastSampleAt = 0;
  private sampling = false;
  private stopped = false;

  constructor(
    readonly containerId: string,
    private readonly dependencies: SamplerDependencies,
    private readonly onIdle: () => void,
  ) {}

  /**
   * Adds a listener. It first gets the latest output (at most one interval old) if there is one,
   * so clients see data at once; a new sampler samples right away rather than at the next tick.
   */
  add(listener: SamplerListener): () => void {
    this.listeners.add(listener);
    const latest = this.latest;
    if (latest !== undefined) queueMicrotask(() => this.listeners.has(listener) && listener(latest));
    else void this.tick();
    return () => this.remove(listener);
  }

  /** Samples and hands the output to every listener (never rejects); skipped when the last sample is too recent. */
  async tick(): Promise<void> {
    // A sampler created just before a tick already has a fresh sample: keep samples about an interval apart.
    if (this.sampling || this.stopped || Date.now() - this.lastSampleAt < this.dependencies.intervalMs / 2) return;
    this.sampling = true;
    this.lastSampleAt = Date.now();
    try {
      const output = await this.sample();
      if (this.stopped) return;
      this.latest = output;
      for (const listener of [...this.listeners]) listener(output);
      if (output.kind === 'removed') {
        this.listeners.clear();
        this.stop();
      }
    } catch (error) {
      this.dependencies.logger.error({ err: error, containerId: this.containerId }, 'stats sampling failed');
    } finally {
      this.sampling = false;
    }
  }

  private remove(listener: SamplerListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) this.stop();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.closeProbe();
    this.onIdle();
  }

  private async sample(): Promise<SamplerOutput> {
    const container = this.dependencies.find(this.containerId);
    if (container === undefined) return { kind: 'removed' };
    const { status, pid } = container.state;
    if ((status !== 'running' && status !== 'paused') || pid <= 0) {
      this.closeProbe();
      return { kind: 'sample', name: container.name, sample: undefined };
    }
    if (this.probe?.pid !== pid) {
      // A restarted container has a new init process (and network namespace).
      this.closeProbe();
      this.probe = {
        pid,
        probe: this.dependencies.source.open({ containerId: container.id, pid, ownNetwork: hasOwnNetwork(container) }),
      };
    }
    try {
      const read = await this.probe.probe.read();
      const hostMemory = await this.dependencies.source.hostMemoryBytes();
      const limit = read.cgroup.memory.limit;
      // dockerd shows the host's memory when the container's limit is unset or larger.
      const memoryLimit = limit === undefined || limit > hostMemory ? hostMemory : limit;
      return { kind: 'sample', name: container.name, sample: { ...read, memoryLimit } };
    } catch (error) {
      // The task exited between the state check and the read (its cgroup is gone): report zeros.
      this.dependencies.logger.debug({ err: error, containerId: this.containerId }, 'stats read failed');
      this.closeProbe();
      return { kind: 'sample', name: container.name, sample: undefined };
    }
  }

  private closeProbe(): void {
    this.probe?.probe.close();
    this.probe = undefined;
  }
}

/** Containers sharing the host's or another container's namespace have no interfaces of their own to report. */
function hasOwnNetwork(container: Container): boolean {
  const mode = container.hostConfig.NetworkMode ?? '';
  return mode !== 'host' && !mode.startsWith('container:');
}
