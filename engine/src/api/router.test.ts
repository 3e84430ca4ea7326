import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from './router.js';

const noop = (): void => undefined;

test('routes match parameters, image names with slashes, and HEAD as GET', () => {
  const router = new Router().add([
    { method: 'GET', pattern: '/images/json', handler: noop },
    { method: 'GET', pattern: '/images/:name*/json', handler: noop },
    { method: 'POST', pattern: '/containers/:id/start', handler: noop },
    { method: 'GET', pattern: '/_ping', handler: noop },
  ]);
  const list = router.match('GET', '/images/json');
  assert.ok(list !== undefined && list !== 'method-not-allowed');
  assert.equal(list.route.pattern, '/images/json');
  const inspect = router.match('GET', '/images/127.0.0.1:5000/demo/busybox:v1/json');
  assert.ok(inspect !== undefined && inspect !== 'method-not-allowed');
  assert.equal(inspect.params['name'], '127.0.0.1:5000/demo/busybox:v1');
  const start = router.match('POST', '/containers/abc/start');
  assert.ok(start !== undefined && start !== 'method-not-allowed');
  assert.equal(start.params['id'], 'abc');
  assert.ok(router.match('HEAD', '/_ping') !== undefined);
  assert.equal(router.match('GET', '/containers/abc/start'), 'method-not-allowed');
  assert.equal(router.match('GET', '/nope'), undefined);
});
