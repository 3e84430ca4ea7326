import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex } from './keyed-mutex.js';

test('operations on one key run one at a time, in order, even when one fails', async () => {
  const mutex = new KeyedMutex();
  const order: string[] = [];
  const slow = mutex.run('a', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    order.push('a1');
    throw new Error('boom');
  });
  const next = mutex.run('a', async () => {
    order.push('a2');
    return 2;
  });
  const other = mutex.run('b', async () => {
    order.push('b1');
  });
  await assert.rejects(slow, /boom/);
  assert.equal(await next, 2);
  await other;
  assert.deepEqual(order, ['b1', 'a1', 'a2']);
});
