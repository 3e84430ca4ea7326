import { useCallback, useSyncExternalStore } from 'react';
import type { ContainerStats, StreamHandle } from '@berth/common/contract';
import { getAppApi } from '../app-api';

export const STATS_HISTORY = 30;

interface Entry {
  samples: readonly ContainerStats[];
  readonly listeners: Set<() => void>;
  handle: StreamHandle | undefined;
}

const EMPTY: readonly ContainerStats[] = [];
const entries = new Map<string, Entry>();

/**
 * One engine stats stream per container, however many views show it (list sparklines, details),
 * opened with the first subscriber and closed with the last. Only rows on screen subscribe, so a
 * list of a thousand containers costs as many streams as it shows rows.
 */
export function subscribeStats(id: string, listener: () => void): () => void {
  let entry = entries.get(id);
  if (entry === undefined) {
    const created: Entry = { samples: EMPTY, listeners: new Set(), handle: undefined };
    entry = created;
    entries.set(id, created);
    created.handle = getAppApi().containers.stats(
      { id },
      {
        onItem: (sample) => {
          created.samples = [...created.samples.slice(-(STATS_HISTORY - 1)), sample];
          for (const notify of created.listeners) notify();
        },
        onError: () => {
          created.handle = undefined;
        },
      },
    );
  }
  entry.listeners.add(listener);
  const owned = entry;
  return () => {
    owned.listeners.delete(listener);
    if (owned.listeners.size === 0) {
      owned.handle?.cancel();
      entries.delete(id);
    }
  };
}

export function statsSamples(id: string): readonly ContainerStats[] {
  return entries.get(id)?.samples ?? EMPTY;
}

/** Recent samples of a running container (empty while stopped or before the first sample). */
export function useStatsSamples(id: string, enabled: boolean): readonly ContainerStats[] {
  // A stable subscribe function: a new one per render would close and reopen the stream.
  const subscribe = useCallback((notify: () => void) => (enabled ? subscribeStats(id, notify) : () => undefined), [id, enabled]);
  return useSyncExternalStore(subscribe, () => (enabled ? statsSamples(id) : EMPTY));
}

/** For tests. */
export function openStatsStreams(): number {
  return entries.size;
}
