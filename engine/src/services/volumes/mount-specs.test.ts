import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerMountRequests, parseApiMount, parseBind } from './mount-specs.js';

test('-v forms: named, host path with modes, anonymous', () => {
  const named = parseBind('data:/var/lib/x:ro,nocopy');
  assert.deepEqual(
    [named.type, named.source, named.destination, named.readonly, named.noCopy],
    ['volume', 'data', '/var/lib/x', true, true],
  );
  const host = parseBind('/srv:/mnt/../srv:rslave');
  assert.deepEqual([host.type, host.destination, host.propagation], ['bind', '/srv', 'rslave']);
  const anonymous = parseBind('/cache');
  assert.deepEqual([anonymous.type, anonymous.source], ['volume', '']);
  assert.throws(() => parseBind('data:/x:bogus'), /invalid mode/);
  assert.throws(() => parseBind('bad name:/x'), /invalid characters/);
  assert.throws(() => parseBind('data:/'), /destination can't be '\/'/);
});

test('--mount forms and precedence over image volumes', () => {
  assert.throws(() => parseApiMount({ Type: 'bind', Source: 'rel', Target: '/x' }), /must be absolute/);
  const tmpfs = parseApiMount({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } });
  assert.deepEqual(tmpfs.tmpfsOptions, ['size=1024', 'mode=1777']);
  const requests = containerMountRequests(
    { Volumes: { '/data': {}, '/other': {} } },
    { Binds: ['named:/data'], Tmpfs: { '/run': 'rw,size=1m' } },
  );
  assert.deepEqual(
    requests.map((request) => [request.type, request.source, request.destination]),
    [
      ['volume', 'named', '/data'],
      ['volume', '', '/other'],
      ['tmpfs', '', '/run'],
    ],
  );
  assert.throws(() => containerMountRequests({}, { Binds: ['aa:/x', 'bb:/x'] }), /Duplicate mount point/);
});
