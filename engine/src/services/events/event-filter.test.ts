import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../core/events/engine-event.js';
import { EventFilter } from './event-filter.js';

const containerId = '045a'.padEnd(64, '0');

function event(type: EngineEvent['type'], action: string, id: string, attributes: Record<string, string>): EngineEvent {
  return { type, action, actor: { id, attributes }, timeNano: 1n };
}

const start = event('container', 'start', containerId, {
  image: '127.0.0.1:5000/busybox:latest',
  name: 'web-1',
  'com.docker.compose.project': 'shop',
});
const die = event('container', 'die', containerId, { image: 'busybox', name: 'web-1', exitCode: '0' });
const pull = event('image', 'pull', '127.0.0.1:5000/busybox:latest', { name: '127.0.0.1:5000/busybox' });
const volume = event('volume', 'create', 'data', { driver: 'local' });
const connect = event('network', 'connect', 'f00d'.padEnd(64, '1'), { container: containerId, name: 'bridge', type: 'bridge' });

const filter = (values: Record<string, string[]>): EventFilter => new EventFilter(new Map(Object.entries(values)));
const kept = (values: Record<string, string[]>, events: EngineEvent[]): string[] =>
  events.filter((candidate) => filter(values).matches(candidate)).map((candidate) => `${candidate.type}/${candidate.action}`);

const all = [start, die, pull, volume, connect];

test('no filter keeps everything; type and event match exactly, values of one key are alternatives', () => {
  assert.equal(kept({}, all).length, 5);
  assert.deepEqual(kept({ type: ['container'] }, all), ['container/start', 'container/die']);
  assert.deepEqual(kept({ type: ['volume', 'network'] }, all), ['volume/create', 'network/connect']);
  assert.deepEqual(kept({ event: ['die'] }, all), ['container/die']);
  assert.deepEqual(kept({ event: ['di'] }, all), []);
  assert.deepEqual(kept({ type: ['container'], event: ['pull'] }, all), []);
});

test('exec_start and health_status match with their suffix', () => {
  const exec = event('container', 'exec_start: sh -c true', containerId, { name: 'web-1' });
  assert.equal(filter({ event: ['exec_start'] }).matches(exec), true);
  assert.equal(filter({ event: ['start'] }).matches(exec), false);
});

test('container by full ID, ID prefix, name or name prefix; other objects then do not match', () => {
  assert.deepEqual(kept({ container: [containerId] }, all), ['container/start', 'container/die']);
  assert.deepEqual(kept({ container: ['045a'] }, all), ['container/start', 'container/die']);
  assert.deepEqual(kept({ container: ['web-1'] }, all), ['container/start', 'container/die']);
  assert.deepEqual(kept({ container: ['web'] }, all), ['container/start', 'container/die']);
  assert.deepEqual(kept({ container: ['db'] }, all), []);
});

test('image with or without tag, for container and image events', () => {
  assert.deepEqual(kept({ image: ['127.0.0.1:5000/busybox'] }, all), ['container/start', 'image/pull']);
  assert.deepEqual(kept({ image: ['127.0.0.1:5000/busybox:latest'] }, all), ['container/start', 'image/pull']);
  assert.deepEqual(kept({ image: ['busybox'] }, all), ['container/die']);
});

test('label as key or key=value on the attributes; volume and network by name', () => {
  assert.deepEqual(kept({ label: ['com.docker.compose.project'] }, all), ['container/start']);
  assert.deepEqual(kept({ label: ['com.docker.compose.project=shop'] }, all), ['container/start']);
  assert.deepEqual(kept({ label: ['com.docker.compose.project=other'] }, all), []);
  assert.deepEqual(kept({ volume: ['data'] }, all), ['volume/create']);
  assert.deepEqual(kept({ network: ['bridge'] }, all), ['network/connect']);
  assert.deepEqual(kept({ daemon: ['x'] }, all), []);
});

test('unknown filter keys are refused as dockerd does', () => {
  assert.throws(() => filter({ colour: ['red'] }), /invalid filter 'colour'/);
});
