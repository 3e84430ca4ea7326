import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitVersionedPath } from './api-version.js';

test('versioned and unversioned paths route the same', () => {
  assert.deepEqual(splitVersionedPath('/v1.41/containers/json'), { version: '1.41', path: '/containers/json' });
  assert.deepEqual(splitVersionedPath('/v1.24/_ping'), { version: '1.24', path: '/_ping' });
  assert.deepEqual(splitVersionedPath('/containers/json'), { version: '1.41', path: '/containers/json' });
});

test('versions outside the supported range get dockerd messages', () => {
  assert.throws(() => splitVersionedPath('/v1.99/info'), /client version 1.99 is too new. Maximum supported API version is 1.41/);
  assert.throws(() => splitVersionedPath('/v1.11/info'), /client version 1.11 is too old. Minimum supported API version is 1.12/);
});
