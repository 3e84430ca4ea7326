import { create } from 'zustand';
import type {
  ContainerSummary,
  EngineEvent,
  EngineInfo,
  EngineStatus,
  EngineVersion,
  ImageSummary,
  NetworkSummary,
  PullProgress,
  VolumeSummary,
} from '@berth/common/contract';
import { errorMessage, getAppApi } from '../app-api';

export type ContainerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'remove';
export type Theme = 'dark' | 'light';

export interface Toast {
  readonly id: number;
  readonly tone: 'error' | 'info';
  readonly title: string;
  readonly message: string;
}

export interface Resource<T> {
  readonly items: T;
  readonly loaded: boolean;
  readonly error?: string;
}

export interface LayerProgress {
  readonly id: string;
  readonly status: string;
  readonly current?: number;
  readonly total?: number;
}

export interface PullState {
  readonly reference: string;
  readonly layers: Readonly<Record<string, LayerProgress>>;
  readonly layerOrder: readonly string[];
  readonly lastStatus: string;
  readonly phase: 'pulling' | 'done' | 'failed' | 'canceled';
  readonly error?: string;
}

export interface AppState {
  readonly engineStatus: EngineStatus;
  readonly engineInfo?: EngineInfo;
  readonly engineVersion?: EngineVersion;
  readonly containers: Resource<Readonly<Record<string, ContainerSummary>>>;
  readonly images: Resource<readonly ImageSummary[]>;
  readonly volumes: Resource<readonly VolumeSummary[]>;
  readonly networks: Resource<readonly NetworkSummary[]>;
  /** Newest first, bounded. */
  readonly recentEvents: readonly EngineEvent[];
  /** Container id → action in flight (buttons show a spinner and disable). */
  readonly pendingActions: Readonly<Record<string, ContainerAction>>;
  readonly pulls: Readonly<Record<string, PullState>>;
  readonly toasts: readonly Toast[];
  readonly theme: Theme;

  startSync(): () => void;
  refreshAll(): Promise<void>;
  refreshContainers(ids?: readonly string[]): Promise<void>;
  refreshImages(): Promise<void>;
  refreshVolumes(): Promise<void>;
  refreshNetworks(): Promise<void>;
  refreshEngine(): Promise<void>;
  /** Fills the timeline with the last hour of engine events (after a load or reconnect). */
  loadEventHistory(): Promise<void>;
  applyEvent(event: EngineEvent): void;
  /** Drops a container from the cache (it was removed). */
  forgetContainer(id: string): void;
  runContainerAction(id: string, action: ContainerAction, options?: { force?: boolean }): Promise<boolean>;
  /** The same action on many containers (4 at a time); `remove` forces running ones. Resolves to how many succeeded. */
  runBulkAction(ids: readonly string[], action: 'start' | 'stop' | 'restart' | 'remove'): Promise<number>;
  removeImage(id: string, force?: boolean): Promise<boolean>;
  removeVolume(name: string): Promise<boolean>;
  removeNetwork(id: string): Promise<boolean>;
  pullImage(reference: string): void;
  cancelPull(reference: string): void;
  dismissPull(reference: string): void;
  pushToast(toast: Omit<Toast, 'id'>): void;
  dismissToast(id: number): void;
  setTheme(theme: Theme): void;
}

const MAX_EVENTS = 200;
let nextToastId = 1;
const pullHandles = new Map<string, { cancel(): void }>();

function initialTheme(): Theme {
  try {
    const saved = localStorage.getItem('berth.theme');
    if (saved === 'dark' || saved === 'light') return saved;
  } catch {
    // storage may be unavailable
  }
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

/** Coalesces bursts of events into one refresh per resource (not a polling loop: it only runs after events). */
function createCoalescer(delayMs: number) {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  return (key: string, run: () => void): void => {
    if (timers.has(key)) return;
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        run();
      }, delayMs),
    );
  };
}

export function applyPullProgress(state: PullState, progress: PullProgress): PullState {
  if (progress.layerId === undefined || !/^[0-9a-f]{6,}$/.test(progress.layerId)) {
    return { ...state, lastStatus: progress.status };
  }
  const id = progress.layerId;
  const previous = state.layers[id];
  const layer: LayerProgress = {
    id,
    status: progress.status,
    ...(progress.total !== undefined
      ? { total: progress.total }
      : previous?.total !== undefined
        ? { total: previous.total }
        : {}),
    ...(progress.current !== undefined
      ? { current: progress.current }
      : previous?.current !== undefined
        ? { current: previous.current }
        : {}),
  };
  return {
    ...state,
    layers: { ...state.layers, [id]: layer },
    layerOrder: previous === undefined ? [...state.layerOrder, id] : state.layerOrder,
    lastStatus: progress.status,
  };
}

export const useAppStore = create<AppState>()((set, get) => {
  const coalesce = createCoalescer(120);
  let pendingContainerIds = new Set<string>();

  const failToast = (title: string, error: unknown): void => {
    get().pushToast({ tone: 'error', title, message: errorMessage(error) });
  };

  return {
    engineStatus: { state: 'connecting', host: '' },
    containers: { items: {}, loaded: false },
    images: { items: [], loaded: false },
    volumes: { items: [], loaded: false },
    networks: { items: [], loaded: false },
    recentEvents: [],
    pendingActions: {},
    pulls: {},
    toasts: [],
    theme: initialTheme(),

    startSync() {
      const api = getAppApi();
      let wasRunning = false;
      const disposeStatus = api.engine.onDidChangeStatus((status) => {
        set({ engineStatus: status });
        const running = status.state === 'running';
        // (Re)connected: the cache may be stale, rebuild it once. Events keep it fresh afterwards.
        if (running && !wasRunning) void get().refreshAll();
        wasRunning = running;
      });
      const disposeEvents = api.events.onDidChange((event) => get().applyEvent(event));
      return () => {
        disposeStatus();
        disposeEvents();
      };
    },

    async refreshAll() {
      await Promise.all([
        get().loadEventHistory(),
        get().refreshEngine(),
        get().refreshContainers(),
        get().refreshImages(),
        get().refreshVolumes(),
        get().refreshNetworks(),
      ]);
    },

    async loadEventHistory() {
      try {
        const past = await getAppApi().events.history({ sinceSeconds: 3600, limit: MAX_EVENTS });
        const key = (e: EngineEvent): string => `${e.timeNano ?? e.time}:${e.type}:${e.action}:${e.id}`;
        set((state) => {
          const seen = new Set(state.recentEvents.map(key));
          const older = past.filter((e) => !seen.has(key(e))).reverse();
          const merged = [...state.recentEvents, ...older].sort(
            (a, b) => (b.timeNano ?? b.time * 1e9) - (a.timeNano ?? a.time * 1e9),
          );
          return { recentEvents: merged.slice(0, MAX_EVENTS) };
        });
      } catch {
        // an engine without event history still has a live feed
      }
    },

    async refreshEngine() {
      const api = getAppApi();
      try {
        const [info, version] = await Promise.all([api.engine.info({}), api.engine.version({})]);
        set({ engineInfo: info, engineVersion: version });
      } catch {
        // shown through engineStatus
      }
    },

    async refreshContainers(ids) {
      const api = getAppApi();
      try {
        if (ids === undefined) {
          const list = await api.containers.list({ all: true });
          set({ containers: { items: Object.fromEntries(list.map((c) => [c.id, c])), loaded: true } });
          return;
        }
        const list = await api.containers.list({ all: true, ids: [...ids] });
        set((state) => {
          const items = { ...state.containers.items };
          for (const id of ids) {
            for (const key of Object.keys(items)) if (key.startsWith(id)) delete items[key];
          }
          for (const c of list) items[c.id] = c;
          return { containers: { ...state.containers, items } };
        });
      } catch (error) {
        set((state) => ({ containers: { ...state.containers, loaded: true, error: errorMessage(error) } }));
      }
    },

    forgetContainer(id) {
      set((state) => {
        if (state.containers.items[id] === undefined) return {};
        const items = { ...state.containers.items };
        delete items[id];
        return { containers: { ...state.containers, items } };
      });
    },

    async refreshImages() {
      try {
        set({ images: { items: await getAppApi().images.list({}), loaded: true } });
      } catch (error) {
        set((state) => ({ images: { ...state.images, loaded: true, error: errorMessage(error) } }));
      }
    },

    async refreshVolumes() {
      try {
        set({ volumes: { items: await getAppApi().volumes.list({}), loaded: true } });
      } catch (error) {
        set((state) => ({ volumes: { ...state.volumes, loaded: true, error: errorMessage(error) } }));
      }
    },

    async refreshNetworks() {
      try {
        set({ networks: { items: await getAppApi().networks.list({}), loaded: true } });
      } catch (error) {
        set((state) => ({ networks: { ...state.networks, loaded: true, error: errorMessage(error) } }));
      }
    },

    applyEvent(event) {
      // The host's short-lived helpers (volume browsing) are not the user's containers.
      if (event.attributes['io.berth.helper'] !== undefined) return;
      set((state) => ({ recentEvents: [event, ...state.recentEvents].slice(0, MAX_EVENTS) }));
      switch (event.type) {
        case 'container': {
          if (event.action === 'destroy') {
            get().forgetContainer(event.id);
          } else if (!event.action.startsWith('exec_') && event.action !== 'top' && !event.action.startsWith('health_status')) {
            pendingContainerIds.add(event.id);
            coalesce('containers', () => {
              const ids = [...pendingContainerIds];
              pendingContainerIds = new Set();
              void get().refreshContainers(ids);
            });
          }
          coalesce('engine', () => void get().refreshEngine());
          if (event.action === 'destroy' || event.action === 'create') coalesce('images', () => void get().refreshImages());
          return;
        }
        case 'image':
          coalesce('images', () => void get().refreshImages());
          coalesce('engine', () => void get().refreshEngine());
          return;
        case 'volume':
          if (['create', 'destroy', 'prune'].includes(event.action)) coalesce('volumes', () => void get().refreshVolumes());
          return;
        case 'network':
          if (['create', 'destroy', 'connect', 'disconnect', 'prune'].includes(event.action)) {
            coalesce('networks', () => void get().refreshNetworks());
          }
          return;
        default:
          return;
      }
    },

    async runContainerAction(id, action, options = {}) {
      const api = getAppApi();
      if (get().pendingActions[id] !== undefined) return false;
      set((state) => ({ pendingActions: { ...state.pendingActions, [id]: action } }));
      try {
        switch (action) {
          case 'start':
            await api.containers.start({ id });
            break;
          case 'stop':
            await api.containers.stop({ id });
            break;
          case 'restart':
            await api.containers.restart({ id });
            break;
          case 'pause':
            await api.containers.pause({ id });
            break;
          case 'unpause':
            await api.containers.unpause({ id });
            break;
          case 'remove':
            await api.containers.remove({ id, force: options.force === true });
            break;
        }
        // The event feed refreshes the row too; refreshing after our own action keeps the list right
        // on engines without /events and costs one list call.
        if (action === 'remove') get().forgetContainer(id);
        else void get().refreshContainers([id]);
        return true;
      } catch (error) {
        const name = get().containers.items[id]?.name ?? id.slice(0, 12);
        failToast(`Could not ${action} ${name}`, error);
        return false;
      } finally {
        set((state) => {
          const pendingActions = { ...state.pendingActions };
          delete pendingActions[id];
          return { pendingActions };
        });
      }
    },

    async runBulkAction(ids, action) {
      const queue = [...ids];
      let ok = 0;
      const worker = async (): Promise<void> => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const state = get().containers.items[id]?.state;
          const up = state === 'running' || state === 'paused' || state === 'restarting';
          if (action === 'start' && up) continue;
          if (action === 'stop' && !up) continue;
          if (await get().runContainerAction(id, action, { force: action === 'remove' && up })) ok++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
      return ok;
    },

    async removeImage(id, force = false) {
      try {
        await getAppApi().images.remove({ id, force });
        // Not every engine emits image `untag`/`delete` events; our own action refreshes the list.
        void get().refreshImages();
        return true;
      } catch (error) {
        failToast('Could not remove image', error);
        return false;
      }
    },

    async removeVolume(name) {
      try {
        await getAppApi().volumes.remove({ name });
        void get().refreshVolumes();
        return true;
      } catch (error) {
        failToast(`Could not remove volume ${name.slice(0, 24)}`, error);
        return false;
      }
    },

    async removeNetwork(id) {
      try {
        await getAppApi().networks.remove({ id });
        void get().refreshNetworks();
        return true;
      } catch (error) {
        failToast('Could not remove network', error);
        return false;
      }
    },

    pullImage(reference) {
      if (get().pulls[reference]?.phase === 'pulling') return;
      const update = (fn: (pull: PullState) => PullState): void =>
        set((state) => {
          const pull = state.pulls[reference];
          return pull === undefined ? {} : { pulls: { ...state.pulls, [reference]: fn(pull) } };
        });
      set((state) => ({
        pulls: {
          ...state.pulls,
          [reference]: { reference, layers: {}, layerOrder: [], lastStatus: 'Starting…', phase: 'pulling' },
        },
      }));
      const handle = getAppApi().images.pull(
        { reference },
        {
          onItem: (progress) => update((pull) => applyPullProgress(pull, progress)),
          onEnd: () => {
            pullHandles.delete(reference);
            update((pull) => ({ ...pull, phase: 'done' }));
            void get().refreshImages();
          },
          onError: (error) => {
            pullHandles.delete(reference);
            update((pull) => ({ ...pull, phase: 'failed', error: error.message }));
          },
        },
      );
      pullHandles.set(reference, handle);
    },

    cancelPull(reference) {
      pullHandles.get(reference)?.cancel();
      pullHandles.delete(reference);
      set((state) => {
        const pull = state.pulls[reference];
        return pull === undefined ? {} : { pulls: { ...state.pulls, [reference]: { ...pull, phase: 'canceled' } } };
      });
    },

    dismissPull(reference) {
      set((state) => {
        const pulls = { ...state.pulls };
        delete pulls[reference];
        return { pulls };
      });
    },

    pushToast(toast) {
      const id = nextToastId++;
      set((state) => ({ toasts: [...state.toasts, { ...toast, id }].slice(-4) }));
      setTimeout(() => get().dismissToast(id), toast.tone === 'error' ? 8000 : 4000);
    },

    dismissToast(id) {
      set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) }));
    },

    setTheme(theme) {
      try {
        localStorage.setItem('berth.theme', theme);
      } catch {
        // ignore
      }
      set({ theme });
    },
  };
});

// ---- selectors ----------------------------------------------------------------------------------

export type StateFilter = 'all' | 'running' | 'stopped';

export function selectContainerList(
  items: Readonly<Record<string, ContainerSummary>>,
  query: string,
  filter: StateFilter,
): ContainerSummary[] {
  const needle = query.trim().toLowerCase();
  return Object.values(items)
    .filter((c) => {
      if (filter === 'running' && c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting') return false;
      if (filter === 'stopped' && (c.state === 'running' || c.state === 'paused' || c.state === 'restarting')) return false;
      if (needle === '') return true;
      return (
        c.name.toLowerCase().includes(needle) ||
        c.image.toLowerCase().includes(needle) ||
        c.id.startsWith(needle) ||
        (c.composeProject?.toLowerCase().includes(needle) ?? false)
      );
    })
    .sort((a, b) => b.created - a.created || a.name.localeCompare(b.name));
}
