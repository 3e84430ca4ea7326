import type { EngineEvent } from '../../core/events/engine-event.js';
import { nowNano, type EventBus } from './event-bus.js';
import type { EventFilter } from './event-filter.js';

export interface EventStreamOptions {
  /** Replay kept events from this time (nanoseconds since the epoch). */
  sinceNano?: bigint;
  /** End the stream at this time; a time in the past replays and ends at once. */
  untilNano?: bigint;
  filter: EventFilter;
  signal: AbortSignal;
}

/**
 * `GET /events` as dockerd serves it: with `since` or `until`, first the kept events in that
 * window, then (unless `until` has passed) live events until `until`, the client leaving, or
 * forever. Replay and subscription happen in the same tick, so no event is lost or repeated.
 */
export function streamEvents(bus: EventBus, options: EventStreamOptions, onEvent: (event: EngineEvent) => void): Promise<void> {
  const { sinceNano, untilNano, filter, signal } = options;
  if (sinceNano !== undefined || untilNano !== undefined) {
    for (const event of bus.replay(sinceNano ?? 0n)) {
      if (untilNano !== undefined && event.timeNano > untilNano) break;
      if (filter.matches(event)) onEvent(event);
    }
  }
  const now = nowNano();
  if (untilNano !== undefined && untilNano <= now) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const unsubscribe = bus.subscribe((event) => {
      if (filter.matches(event)) onEvent(event);
    });
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      unsubscribe();
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    // setTimeout takes at most 2^31-1 ms (24.8 days): a later `until` is reached in steps.
    const armUntil = (): void => {
      if (untilNano === undefined) return;
      const remainingMs = Number((untilNano - nowNano()) / 1_000_000n);
      if (remainingMs <= 0) finish();
      else timer = setTimeout(armUntil, Math.min(remainingMs + 1, 2 ** 31 - 1));
    };
    armUntil();
    if (signal.aborted) finish();
    else signal.addEventListener('abort', finish, { once: true });
  });
}
