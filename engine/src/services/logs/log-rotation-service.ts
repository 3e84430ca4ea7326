import type { Logger } from '../../lib/logger.js';
import type { Container } from '../../core/containers/container.js';
import type { LogReopener } from '../../core/logs/log-reopener.js';
import type { EventBus } from '../events/event-bus.js';

/** File operations on a container log (drivers/logs/k8s-file-rotation.ts). */
export interface LogFiles {
  /** Current size of the live log file; undefined when it does not exist. */
  sizeOf(path: string): Promise<number | undefined>;
  /** Renames the live file to `.1` (shifting older ones), keeping at most maxFiles - 1 rotated files. */
  shift(path: string, maxFiles: number): Promise<void>;
  /** Drops rotated files beyond maxFiles - 1. */
  prune(path: string, maxFiles: number): Promise<void>;
}

export interface LogRotationOptions {
  containers: { find(reference: string): Container | undefined; list(): Container[] };
  files: LogFiles;
  reopener: LogReopener;
  events: EventBus;
  logger: Logger;
  /** How often running containers' log sizes are checked. */
  checkIntervalMs?: number;
}

export interface RotationPolicy {
  maxSize: number;
  maxFiles: number;
}

/**
 * Docker's `--log-opt max-size=N --log-opt max-file=M`. conmon can only truncate its log
 * (`--log-size-max` replaces the file, losing what it held), so the engine rotates: when the live
 * file passes max-size it is renamed away and conmon is told to reopen the path (its control
 * message 2), as the kubelet does with CRI runtimes. Sizes are checked on a short timer; a file
 * may pass max-size by what is written within one check.
 */
export class LogRotationService {
  private readonly policies = new Map<string, RotationPolicy>();
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: LogRotationOptions) {
    this.logger = options.logger.child({ component: 'log-rotation' });
  }

  start(): void {
    this.unsubscribe = this.options.events.subscribe((event) => {
      if (event.type !== 'container') return;
      if (event.action === 'start') this.track(event.actor.id);
      // After the exit the monitor is gone; the file stays as it is, as with dockerd.
      else if (event.action === 'die' || event.action === 'destroy') this.policies.delete(event.actor.id);
    });
    for (const container of this.options.containers.list()) if (container.state.status === 'running') this.track(container.id);
    this.timer = setInterval(() => void this.checkAll(), this.options.checkIntervalMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private track(containerId: string): void {
    const container = this.options.containers.find(containerId);
    if (container === undefined) return;
    const policy = rotationPolicy(container.hostConfig.LogConfig?.Config);
    if (policy === undefined) this.policies.delete(containerId);
    else this.policies.set(containerId, policy);
  }

  private async checkAll(): Promise<void> {
    for (const [containerId, policy] of this.policies) {
      if (this.busy.has(containerId)) continue;
      this.busy.add(containerId);
      await this.check(containerId, policy)
        .catch((error: unknown) => this.logger.warn({ err: error, containerId }, 'log rotation failed'))
        .finally(() => this.busy.delete(containerId));
    }
  }

  private async check(containerId: string, policy: RotationPolicy): Promise<void> {
    const container = this.options.containers.find(containerId);
    if (container === undefined) return;
    const size = await this.options.files.sizeOf(container.logPath);
    if (size === undefined || size < policy.maxSize) return;
    await this.options.files.shift(container.logPath, policy.maxFiles);
    await this.options.reopener.reopenLog(containerId);
    await this.options.files.prune(container.logPath, policy.maxFiles);
    this.logger.debug({ containerId, size }, 'log rotated');
  }
}

/** `max-size` (bytes, or with k/m/g, 1024-based as Docker's RAMInBytes) and `max-file` (default 1). */
export function rotationPolicy(config: Record<string, string> | undefined): RotationPolicy | undefined {
  const maxSize = parseByteSize(config?.['max-size']);
  if (maxSize === undefined || maxSize <= 0) return undefined;
  const maxFiles = Number.parseInt(config?.['max-file'] ?? '1', 10);
  return { maxSize, maxFiles: Number.isSafeInteger(maxFiles) && maxFiles > 0 ? maxFiles : 1 };
}

export function parseByteSize(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(value);
  if (match === null) return undefined;
  const units: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.floor(Number(match[1]) * (units[(match[2] ?? '').toLowerCase()] ?? 1));
}
