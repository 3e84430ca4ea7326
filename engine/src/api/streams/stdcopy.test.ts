import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, frame } from './stdcopy.js';

test('frames carry the stream id and big-endian length, as captured from dockerd', () => {
  assert.deepEqual(frame('stdout', Buffer.from('out\n')), Buffer.from('\x01\x00\x00\x00\x00\x00\x00\x04out\n', 'latin1'));
  assert.deepEqual(frame('stderr', Buffer.from('err\n')), Buffer.from('\x02\x00\x00\x00\x00\x00\x00\x04err\n', 'latin1'));
});

test('the decoder reassembles frames split across chunks', () => {
  const bytes = Buffer.concat([frame('stdout', Buffer.from('hello')), frame('stderr', Buffer.from('world'))]);
  const decoder = new FrameDecoder();
  const frames = [
    ...decoder.push(bytes.subarray(0, 3)),
    ...decoder.push(bytes.subarray(3, 15)),
    ...decoder.push(bytes.subarray(15)),
  ];
  assert.deepEqual(
    frames.map((item) => [item.stream, item.payload.toString()]),
    [
      [1, 'hello'],
      [2, 'world'],
    ],
  );
});
