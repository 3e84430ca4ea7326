import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from './container-presenter.js';

test('durations read like docker ps', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(11_000), '11 seconds');
  assert.equal(humanDuration(70_000), 'About a minute');
  assert.equal(humanDuration(5 * 60_000), '5 minutes');
  assert.equal(humanDuration(3_600_000), 'About an hour');
  assert.equal(humanDuration(3 * 3_600_000), '3 hours');
});
