import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry } from '../../core/logs/log-entry.js';
import { maxReassembledLine, PartialLineJoiner } from './partial-lines.js';

const entry = (stream: 'stdout' | 'stderr', text: string | Buffer, partial: boolean, timeNano = 1n): LogEntry => ({
  stream,
  timeNano,
  data: Buffer.isBuffer(text) ? text : Buffer.from(text),
  partial,
});

test('pieces are joined per stream with the time of the first piece', () => {
  const joiner = new PartialLineJoiner();
  assert.deepEqual(joiner.push(entry('stdout', 'ab', true, 1n)), []);
  assert.deepEqual(joiner.push(entry('stderr', 'e\n', false, 2n)), [entry('stderr', 'e\n', false, 2n)]);
  assert.deepEqual(joiner.push(entry('stdout', 'c\n', false, 3n)), [entry('stdout', 'abc\n', false, 1n)]);
  assert.equal(joiner.hasPending, false);
});

test('an endless line is handed out in bounded pieces', () => {
  const joiner = new PartialLineJoiner();
  const piece = Buffer.alloc(8192, 0x61);
  let out: LogEntry[] = [];
  for (let total = 0; out.length === 0; total += piece.length) out = joiner.push(entry('stdout', piece, true));
  assert.equal(out.length, 1);
  assert.equal(out[0]?.partial, true);
  assert.ok((out[0]?.data.length ?? 0) >= maxReassembledLine);
  assert.deepEqual(joiner.flush(), []);
});
