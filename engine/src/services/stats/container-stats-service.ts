import { AppError } from '@berth/common';
import type { Container } from '../../core/containers/container.js';
import type { ContainerStatsSample, StatsReport, StatsSource } from '../../core/stats/container-stats.js';
import type { Logger } from '../../lib/logger.js';
import { ContainerSampler, type SamplerOutput } from './container-sampler.js';

export interface ContainerStatsServiceOptions {
  source: StatsSource;
  containers: {
    /** Throws Docker's 404 for an unknown reference. */
    get(reference: string): Container;
    find(reference: string): Container | undefined;
  };
  /** dockerd samples once per second; the CLI marks a container stale after 2 s without one. */
  intervalMs?: number;
  logger: Logger;
}

/**
 * `GET /containers/{id}/stats`: frames built from one shared sampler per container. Each client
 * only remembers the last sample it was sent, which becomes the next frame's `precpu_stats`.
 */
export class ContainerStatsService {
  private readonly samplers = new Map<string, ContainerSampler>();
  private readonly intervalMs: number;
  /** One timer for every sampled container, running only while some container is watched. */
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly options: ContainerStatsServiceOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
  }

  /**
   * One frame (`stream=0`). Like dockerd, a running container is sampled twice one interval apart
   * so `precpu_stats` is real; `oneShot` returns the first sample alone. A container that is not
   * running answers at once with zeros.
   */
  async once(reference: string, options: { oneShot: boolean }, signal: AbortSignal): Promise<StatsReport> {
    const container = this.options.containers.get(reference);
    const base = { id: container.id, name: container.name };
    if (container.state.status !== 'running' && container.state.status !== 'paused') return base;
    return new Promise<StatsReport>((resolve, reject) => {
      let previous: ContainerStatsSample | undefined;
      let primed = false;
      const finish = (report: StatsReport): void => {
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
        resolve(report);
      };
      const unsubscribe = this.subscribe(container.id, (output) => {
        if (output.kind === 'removed') return finish({ ...base, ...(previous !== undefined ? { current: previous } : {}) });
        const report = frame(container.id, output.name, output.sample, previous);
        if (options.oneShot || primed) return finish(report);
        primed = true;
        previous = output.sample;
      });
      const onAbort = (): void => {
        unsubscribe();
        reject(new AppError('canceled', 'stats canceled'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Frames once per interval (`stream=1`) until the client goes away (`signal`) or the container
   * is removed. The first frame has no previous sample, as with dockerd. The container is looked
   * up before this returns (an unknown one throws at once); frames are only delivered later.
   */
  stream(reference: string, signal: AbortSignal, onReport: (report: StatsReport) => void): Promise<void> {
    const container = this.options.containers.get(reference);
    return new Promise<void>((resolve) => {
      let previous: ContainerStatsSample | undefined;
      const finish = (): void => {
        unsubscribe();
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const unsubscribe = this.subscribe(container.id, (output) => {
        if (output.kind === 'removed') return finish();
        onReport(frame(container.id, output.name, output.sample, previous));
        previous = output.sample;
      });
      if (signal.aborted) finish();
      else signal.addEventListener('abort', finish, { once: true });
    });
  }

  /** Number of containers currently sampled (for tests and diagnostics). */
  get activeSamplers(): number {
    return this.samplers.size;
  }

  private subscribe(containerId: string, listener: (output: SamplerOutput) => void): () => void {
    let sampler = this.samplers.get(containerId);
    if (sampler === undefined) {
      const created: ContainerSampler = new ContainerSampler(
        containerId,
        {
          source: this.options.source,
          find: (id) => this.options.containers.find(id),
          intervalMs: this.intervalMs,
          logger: this.options.logger,
        },
        () => {
          if (this.samplers.get(containerId) === created) this.samplers.delete(containerId);
          if (this.samplers.size === 0) {
            clearInterval(this.ticker);
            this.ticker = undefined;
          }
        },
      );
      sampler = created;
      this.samplers.set(containerId, sampler);
      this.ticker ??= setInterval(() => this.tick(), this.intervalMs);
    }
    return sampler.add(listener);
  }

  private tick(): void {
    for (const sampler of [...this.samplers.values()]) void sampler.tick();
  }
}

function frame(
  id: string,
  name: string,
  current: ContainerStatsSample | undefined,
  previous: ContainerStatsSample | undefined,
): StatsReport {
  return { id, name, ...(current !== undefined ? { current } : {}), ...(previous !== undefined ? { previous } : {}) };
}
