import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseK8sFileRecord } from './k8s-file-format.js';
import { formatTimestamp } from '../../core/logs/timestamps.js';

test('full and partial records, with zone offsets converted to UTC nanoseconds', () => {
  const full = parseK8sFileRecord(Buffer.from('2026-11-28T01:02:03.123456789+01:00 stderr F hello world'));
  assert.ok(full !== undefined);
  assert.equal(full.stream, 'stderr');
  assert.equal(full.partial, false);
  assert.equal(full.data.toString(), 'hello world\n');
  assert.equal(formatTimestamp(full.timeNano), '2026-11-28T00:02:03.123456789Z');

  const partial = parseK8sFileRecord(Buffer.from('2026-11-28T00:00:00.5Z stdout P chunk'));
  assert.ok(partial !== undefined);
  assert.equal(partial.partial, true);
  assert.equal(partial.data.toString(), 'chunk');
  assert.equal(formatTimestamp(partial.timeNano), '2026-11-28T00:00:00.500000000Z');

  const empty = parseK8sFileRecord(Buffer.from('2026-11-28T00:00:00.000000001Z stdout F '));
  assert.equal(empty?.data.toString(), '\n');
  assert.equal(parseK8sFileRecord(Buffer.from('garbage line')), undefined);
});
