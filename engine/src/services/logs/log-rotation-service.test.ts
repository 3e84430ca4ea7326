import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseByteSize, rotationPolicy } from './log-rotation-service.js';

test('--log-opt max-size and max-file as Docker reads them', () => {
  assert.equal(parseByteSize('100'), 100);
  assert.equal(parseByteSize('10k'), 10 * 1024);
  assert.equal(parseByteSize('1.5m'), 1.5 * 1024 * 1024);
  assert.equal(parseByteSize('2g'), 2 * 1024 ** 3);
  assert.equal(parseByteSize('lots'), undefined);
  assert.equal(rotationPolicy({}), undefined);
  assert.equal(rotationPolicy({ 'max-file': '3' }), undefined);
  assert.deepEqual(rotationPolicy({ 'max-size': '1m' }), { maxSize: 1024 * 1024, maxFiles: 1 });
  assert.deepEqual(rotationPolicy({ 'max-size': '1k', 'max-file': '4' }), { maxSize: 1024, maxFiles: 4 });
});
