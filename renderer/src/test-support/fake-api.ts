import type { AppApi, ContainerSummary, EngineEvent, EngineStatus } from '@berth/common/contract';

/** An in-memory AppApi for component and store tests (no transport). */
export function createFakeApi(containers: ContainerSummary[]) {
  let items = [...containers];
  const eventListeners = new Set<(event: EngineEvent) => void>();
  const statusListeners = new Set<(status: EngineStatus) => void>();
  const calls: string[] = [];
  const notImplemented = () => Promise.reject(Object.assign(new Error('not in fake'), { kind: 'not-implemented' }));
  const api = {
    containers: {
      list: async (input: { ids?: string[] }) => {
        calls.push(`containers.list${input.ids === undefined ? '' : `:${input.ids.join(',')}`}`);
        return input.ids === undefined ? items : items.filter((c) => input.ids?.includes(c.id));
      },
      start: async ({ id }: { id: string }) => void calls.push(`start:${id}`),
      stop: async ({ id }: { id: string }) => {
        calls.push(`stop:${id}`);
        throw Object.assign(new Error(`container ${id} is stuck`), { kind: 'conflict' });
      },
      restart: async () => undefined,
      pause: async () => undefined,
      unpause: async () => undefined,
      remove: async ({ id }: { id: string }) => void calls.push(`remove:${id}`),
      inspect: notImplemented,
      logs: () => ({ cancel() {} }),
      stats: () => ({ cancel() {} }),
    },
    images: {
      list: async () => [],
      inspect: notImplemented,
      remove: notImplemented,
      tag: notImplemented,
      pull: () => ({ cancel() {} }),
    },
    volumes: { list: async () => [], inspect: notImplemented, create: notImplemented, remove: notImplemented },
    networks: { list: async () => [], inspect: notImplemented, create: notImplemented, remove: notImplemented },
    engine: {
      info: notImplemented,
      version: notImplemented,
      status: async () => ({ state: 'running', host: 'unix:///fake.sock' }),
      onDidChangeStatus: (listener: (status: EngineStatus) => void) => {
        statusListeners.add(listener);
        return () => statusListeners.delete(listener);
      },
    },
    events: {
      onDidChange: (listener: (event: EngineEvent) => void) => {
        eventListeners.add(listener);
        return () => eventListeners.delete(listener);
      },
    },
  };
  return {
    api: api as unknown as AppApi,
    calls,
    setContainers(next: ContainerSummary[]) {
      items = next;
    },
    emitEvent(event: EngineEvent) {
      for (const listener of eventListeners) listener(event);
    },
    emitStatus(status: EngineStatus) {
      for (const listener of statusListeners) listener(status);
    },
  };
}

/** A stable 64-hex id derived from the name (FNV-1a), unique enough for tests. */
function idFor(name: string): string {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0').repeat(8);
}

export function container(name: string, overrides: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    id: idFor(name),
    name,
    image: 'alpine:3.20',
    imageId: 'sha256:1',
    command: 'sh',
    created: 1_700_000_000,
    state: 'running',
    status: 'Up 5 minutes',
    ports: [],
    labels: {},
    ...overrides,
  };
}
