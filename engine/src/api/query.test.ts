import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBoolean, parseFilters, parseInteger } from './query.js';

test('booleans accept what Go ParseBool accepts, including docker-py True/False', () => {
  for (const value of ['1', 'true', 'True', 'TRUE', 't']) assert.equal(parseBoolean(value), true);
  for (const value of ['0', 'false', 'False', 'FALSE', 'f']) assert.equal(parseBoolean(value), false);
  assert.equal(parseBoolean(null, true), true);
  assert.throws(() => parseBoolean('yes'), /invalid boolean/);
});

test('filters come in the CLI map-of-sets shape and the docker-py map-of-lists shape', () => {
  assert.deepEqual(
    [...parseFilters('{"label":{"a=b":true},"status":{"exited":true}}')],
    [
      ['label', ['a=b']],
      ['status', ['exited']],
    ],
  );
  assert.deepEqual(
    [...parseFilters('{"label": ["com.docker.compose.project=x", "y"]}')],
    [['label', ['com.docker.compose.project=x', 'y']]],
  );
  assert.equal(parseFilters(null).size, 0);
  assert.throws(() => parseFilters('{bad'), /invalid filter/);
  assert.throws(() => parseFilters('[1]'), /invalid filter/);
});

test('integers are validated', () => {
  assert.equal(parseInteger('10', 't'), 10);
  assert.equal(parseInteger(null, 't'), undefined);
  assert.throws(() => parseInteger('1.5', 't'), /not an integer/);
});
