import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AsyncQueue } from './async-queue.js';
import { OutputRing } from './output-ring.js';

describe('OutputRing', () => {
  it('keeps everything under the limit, in order', () => {
    const ring = new OutputRing(10);
    ring.push('abc');
    ring.push('');
    ring.push('def');
    assert.equal(ring.toString(), 'abcdef');
    assert.equal(ring.size, 6);
  });

  it('drops the oldest chunks whole once over the limit', () => {
    const ring = new OutputRing(10);
    for (const chunk of ['aaaa', 'bbbb', 'cccc']) ring.push(chunk);
    assert.equal(ring.toString(), 'bbbbcccc');
  });

  it('cuts a single oversized chunk to its tail', () => {
    const ring = new OutputRing(5);
    ring.push('0123456789');
    assert.equal(ring.toString(), '56789');
    ring.push('ab');
    assert.equal(ring.toString(), 'ab');
  });
});

describe('AsyncQueue', () => {
  it('delivers items pushed before and after the consumer waits, then ends', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    const seen: number[] = [];
    const done = (async () => {
      for await (const item of queue) seen.push(item);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    queue.push(2);
    queue.end();
    queue.push(3);
    await done;
    assert.deepEqual(seen, [1, 2]);
  });
});
