import type { EngineEvent } from '../../core/events/engine-event.js';

/**
 * Fans engine events out to subscribers (the /events API, the app) and keeps the most recent
 * ones so `docker events --since` can replay them.
 */
export class EventBus {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly history: EngineEvent[] = [];

  constructor(private readonly historySize = 1024) {}

  publish(event: Omit<EngineEvent, 'timeNano'> & { timeNano?: bigint }): void {
    const complete: EngineEvent = { ...event, timeNano: event.timeNano ?? nowNano() };
    this.history.push(complete);
    if (this.history.length > this.historySize) this.history.shift();
    for (const listener of this.listeners) listener(complete);
  }

  /** Events already published at or after `sinceNano`, oldest first. */
  replay(sinceNano: bigint): EngineEvent[] {
    return this.history.filter((event) => event.timeNano >= sinceNano);
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Wall-clock nanoseconds that never go backwards: the epoch offset taken once, then the monotonic clock. */
const epochOffsetNano = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowNano(): bigint {
  return epochOffsetNano + process.hrtime.bigint();
}
