import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../core/events/engine-event.js';
import { EventBus, nowNano } from './event-bus.js';
import { EventFilter } from './event-filter.js';
import { streamEvents } from './event-stream.js';

const everything = new EventFilter(new Map());

function publish(bus: EventBus, action: string, timeNano?: bigint): void {
  bus.publish({
    type: 'container',
    action,
    actor: { id: 'c1', attributes: { name: 'web' } },
    ...(timeNano !== undefined ? { timeNano } : {}),
  });
}

test('event times never go backwards', () => {
  let last = nowNano();
  for (let index = 0; index < 10_000; index++) {
    const next = nowNano();
    assert.ok(next >= last);
    last = next;
  }
});

test('since replays kept events in the window, then live events follow without a gap', async () => {
  const bus = new EventBus();
  publish(bus, 'create', 1_000n);
  publish(bus, 'start', 2_000n);
  publish(bus, 'die', 3_000n);
  const controller = new AbortController();
  const seen: string[] = [];
  const done = streamEvents(bus, { sinceNano: 2_000n, filter: everything, signal: controller.signal }, (event: EngineEvent) => {
    seen.push(event.action);
    if (event.action === 'destroy') controller.abort();
  });
  assert.deepEqual(seen, ['start', 'die']);
  publish(bus, 'destroy');
  await done;
  assert.deepEqual(seen, ['start', 'die', 'destroy']);
});

test('an until in the past replays up to it and ends at once; filters apply to the replay', async () => {
  const bus = new EventBus();
  publish(bus, 'create', 1_000n);
  publish(bus, 'start', 2_000n);
  publish(bus, 'die', 3_000n);
  const seen: string[] = [];
  await streamEvents(
    bus,
    {
      sinceNano: 1n,
      untilNano: 2_500n,
      filter: new EventFilter(new Map([['event', ['start', 'die']]])),
      signal: new AbortController().signal,
    },
    (event) => seen.push(event.action),
  );
  assert.deepEqual(seen, ['start']);
});

test('an until in the future ends the live stream then; no since means no replay', async () => {
  const bus = new EventBus();
  publish(bus, 'old');
  const seen: string[] = [];
  const started = Date.now();
  const done = streamEvents(
    bus,
    { untilNano: nowNano() + 150_000_000n, filter: everything, signal: new AbortController().signal },
    (event) => seen.push(event.action),
  );
  publish(bus, 'live');
  await done;
  assert.ok(Date.now() - started >= 140, 'ended before until');
  // `until` alone replays the history before it, as dockerd does.
  assert.deepEqual(seen, ['old', 'live']);
  const none: string[] = [];
  const controller = new AbortController();
  const live = streamEvents(bus, { filter: everything, signal: controller.signal }, (event) => none.push(event.action));
  controller.abort();
  await live;
  assert.deepEqual(none, []);
});
