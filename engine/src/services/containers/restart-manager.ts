import { invalidArgument } from '@berth/common';
import type { HostConfig } from '../../core/containers/container.js';

/** Docker's restart backoff: 100 ms, doubled after each restart, at most one minute. */
export const initialRestartDelayMs = 100;
export const maximumRestartDelayMs = 60_000;
/** A task that stayed up this long resets the backoff. */
export const stableRunMs = 10_000;

export type RestartPolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface RestartPolicy {
  name: RestartPolicyName;
  maximumRetryCount: number;
}

/** Reads and checks HostConfig.RestartPolicy with dockerd's messages. */
export function parseRestartPolicy(hostConfig: Pick<HostConfig, 'RestartPolicy' | 'AutoRemove'>): RestartPolicy {
  const raw = hostConfig.RestartPolicy ?? {};
  const name = raw.Name === undefined || raw.Name === '' ? 'no' : raw.Name;
  const maximumRetryCount = raw.MaximumRetryCount ?? 0;
  if (name !== 'no' && name !== 'always' && name !== 'unless-stopped' && name !== 'on-failure')
    throw invalidArgument(`invalid restart policy '${name}'`);
  if (maximumRetryCount < 0) throw invalidArgument('maximum retry count cannot be negative');
  if (name !== 'on-failure' && maximumRetryCount !== 0)
    throw invalidArgument(`maximum retry count cannot be used with restart policy '${name}'`);
  if (name !== 'no' && hostConfig.AutoRemove === true)
    throw invalidArgument("can't create 'AutoRemove' container with restart policy");
  return { name, maximumRetryCount };
}

/**
 * The next delay of the backoff: restart the sequence after a stable run, otherwise double the
 * previous delay up to the cap (moby's restartmanager arithmetic).
 */
export function nextRestartDelay(previousDelayMs: number, runDurationMs: number): number {
  const previous = runDurationMs >= stableRunMs ? 0 : previousDelayMs;
  if (previous === 0) return initialRestartDelayMs;
  return Math.min(previous * 2, maximumRestartDelayMs);
}

export interface ExitFacts {
  exitCode: number;
  /** `docker stop`/`kill` by a user, or the engine stopping it on request. */
  manuallyStopped: boolean;
  /** Restarts already done in this sequence (the container's RestartCount). */
  restartCount: number;
}

/** Whether the policy restarts a container after this exit. */
export function policyRestarts(policy: RestartPolicy, exit: ExitFacts): boolean {
  if (exit.manuallyStopped) return false;
  switch (policy.name) {
    case 'no':
      return false;
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exit.exitCode !== 0 && (policy.maximumRetryCount === 0 || exit.restartCount < policy.maximumRetryCount);
  }
}

/**
 * Per-container backoff state and the pending restart timers. The policy decision itself is pure
 * (above); this class only remembers the last delay and owns the timers so stop/rm can cancel them.
 */
export class RestartManager {
  private readonly delays = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  /** Decides after an exit; returns the delay before the restart, or undefined for no restart. */
  decide(id: string, policy: RestartPolicy, exit: ExitFacts, runDurationMs: number): number | undefined {
    if (policy.name === 'no') return undefined;
    const delay = nextRestartDelay(this.delays.get(id) ?? 0, runDurationMs);
    this.delays.set(id, delay);
    return policyRestarts(policy, exit) ? delay : undefined;
  }

  schedule(id: string, delayMs: number, restart: () => void): void {
    this.cancel(id);
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        restart();
      }, delayMs),
    );
  }

  isPending(id: string): boolean {
    return this.timers.has(id);
  }

  /** Cancels a pending restart; true when one was pending. */
  cancel(id: string): boolean {
    const timer = this.timers.get(id);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.timers.delete(id);
    return true;
  }

  /** Forgets the backoff (a manual start begins a new sequence). */
  reset(id: string): void {
    this.cancel(id);
    this.delays.delete(id);
  }

  /** Stops every timer (engine shutdown). */
  close(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
