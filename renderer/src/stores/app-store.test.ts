import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setAppApi } from '../app-api';
import { container, createFakeApi } from '../test-support/fake-api';
import { applyPullProgress, selectContainerList, useAppStore, type PullState } from './app-store';

const initial = useAppStore.getState();

describe('app store (cache fed by engine events)', () => {
  beforeEach(() => {
    useAppStore.setState(initial, true);
    vi.useRealTimers();
  });

  it('loads everything when the engine comes up, then follows events without polling', async () => {
    const web = container('web');
    const fake = createFakeApi([web]);
    setAppApi(fake.api);
    const stop = useAppStore.getState().startSync();
    fake.emitStatus({ state: 'running', host: 'unix:///fake.sock' });
    await vi.waitFor(() => expect(useAppStore.getState().containers.loaded).toBe(true));
    expect(Object.keys(useAppStore.getState().containers.items)).toEqual([web.id]);
    expect(fake.calls).toEqual(['containers.list']);

    // A 'die' event refreshes only that container, once per burst.
    fake.setContainers([{ ...web, state: 'exited', status: 'Exited (0)' }]);
    fake.emitEvent({ type: 'container', action: 'die', id: web.id, attributes: {}, time: 1 });
    fake.emitEvent({ type: 'container', action: 'stop', id: web.id, attributes: {}, time: 1 });
    await vi.waitFor(() => expect(useAppStore.getState().containers.items[web.id]?.state).toBe('exited'));
    expect(fake.calls.filter((c) => c.startsWith('containers.list:'))).toEqual([`containers.list:${web.id}`]);

    // 'destroy' drops it from the cache without a round trip.
    fake.emitEvent({ type: 'container', action: 'destroy', id: web.id, attributes: {}, time: 2 });
    expect(useAppStore.getState().containers.items[web.id]).toBeUndefined();
    expect(useAppStore.getState().recentEvents).toHaveLength(3);
    stop();
  });

  it('shows engine errors plainly as toasts and clears the pending flag', async () => {
    const fake = createFakeApi([container('db')]);
    setAppApi(fake.api);
    const id = container('db').id;
    const ok = await useAppStore.getState().runContainerAction(id, 'stop');
    expect(ok).toBe(false);
    expect(useAppStore.getState().pendingActions[id]).toBeUndefined();
    expect(useAppStore.getState().toasts[0]).toMatchObject({ tone: 'error', message: `container ${id} is stuck` });
  });

  it('filters and searches containers', () => {
    const items = Object.fromEntries(
      [
        container('web', { composeProject: 'shop' }),
        container('db', { state: 'exited' }),
        container('cache', { state: 'paused' }),
      ].map((c) => [c.id, c]),
    );
    expect(
      selectContainerList(items, '', 'running')
        .map((c) => c.name)
        .sort(),
    ).toEqual(['cache', 'web']);
    expect(selectContainerList(items, '', 'stopped').map((c) => c.name)).toEqual(['db']);
    expect(selectContainerList(items, 'SHOP', 'all').map((c) => c.name)).toEqual(['web']);
  });

  it('tracks pull progress per layer', () => {
    let pull: PullState = { reference: 'nginx', layers: {}, layerOrder: [], lastStatus: '', phase: 'pulling' };
    pull = applyPullProgress(pull, { status: 'Pulling from library/nginx', layerId: 'latest' });
    pull = applyPullProgress(pull, { status: 'Downloading', layerId: 'abc123def456', current: 5, total: 10 });
    pull = applyPullProgress(pull, { status: 'Download complete', layerId: 'abc123def456' });
    expect(pull.layerOrder).toEqual(['abc123def456']);
    expect(pull.layers['abc123def456']).toEqual({ id: 'abc123def456', status: 'Download complete', current: 5, total: 10 });
  });
});
