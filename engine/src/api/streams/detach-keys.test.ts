import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachKeyFilter, parseDetachKeys } from './detach-keys.js';

test('detach key syntax as dockerd reads it', () => {
  assert.deepEqual(parseDetachKeys(''), [16, 17]);
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(parseDetachKeys('a,ctrl-@,ctrl-[,ctrl-_,X'), [97, 0, 27, 31, 88]);
  assert.deepEqual(parseDetachKeys('CTRL-A'), [1]);
  assert.equal(parseDetachKeys('ctrl-1'), undefined);
  assert.equal(parseDetachKeys('ab'), undefined);
});

test('the sequence is swallowed, also across chunks; near misses pass through', () => {
  const filter = new DetachKeyFilter([16, 17]);
  assert.deepEqual(filter.push(Buffer.from('ls\n')), { forward: Buffer.from('ls\n'), detach: false });
  assert.deepEqual(filter.push(Buffer.from([0x61, 16])), { forward: Buffer.from([0x61]), detach: false });
  assert.deepEqual(filter.push(Buffer.from([0x62])), { forward: Buffer.from([16, 0x62]), detach: false });
  assert.deepEqual(filter.push(Buffer.from([16, 16])), { forward: Buffer.from([16]), detach: false });
  assert.deepEqual(filter.push(Buffer.from([17, 0x63])), { forward: Buffer.from([]), detach: true });
  assert.deepEqual(filter.push(Buffer.from('after')), { forward: Buffer.from([]), detach: false });

  const held = new DetachKeyFilter([16, 17]);
  held.push(Buffer.from([16]));
  assert.deepEqual(held.flush(), Buffer.from([16]));
});
