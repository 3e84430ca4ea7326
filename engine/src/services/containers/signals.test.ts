import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal } from './signals.js';

test('signals by name with or without SIG, and by number', () => {
  assert.equal(parseSignal('KILL'), 'KILL');
  assert.equal(parseSignal('sigterm'), 'TERM');
  assert.equal(parseSignal('WINCH'), 'WINCH');
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('RTMIN+3'), 'RTMIN+3');
  assert.throws(() => parseSignal('NOPE'), /Invalid signal: NOPE/);
  assert.throws(() => parseSignal('99'), /Invalid signal: 99/);
});
