import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  maximumRestartDelayMs,
  nextRestartDelay,
  parseRestartPolicy,
  policyRestarts,
  RestartManager,
} from './restart-manager.js';

describe('restart backoff', () => {
  test('starts at 100 ms and doubles up to one minute', () => {
    const delays: number[] = [];
    let delay = 0;
    for (let attempt = 0; attempt < 12; attempt += 1) {
      delay = nextRestartDelay(delay, 50);
      delays.push(delay);
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
    assert.equal(nextRestartDelay(maximumRestartDelayMs, 0), maximumRestartDelayMs);
  });

  test('a run of 10 s or more resets the sequence', () => {
    assert.equal(nextRestartDelay(25_600, 9_999), 51_200);
    assert.equal(nextRestartDelay(25_600, 10_000), 100);
  });
});

describe('restart policies', () => {
  const facts = { exitCode: 1, manuallyStopped: false, restartCount: 0 };
  test('no never restarts; always and unless-stopped restart unless stopped by hand', () => {
    assert.equal(policyRestarts({ name: 'no', maximumRetryCount: 0 }, facts), false);
    for (const name of ['always', 'unless-stopped'] as const) {
      assert.equal(policyRestarts({ name, maximumRetryCount: 0 }, { ...facts, exitCode: 0 }), true);
      assert.equal(policyRestarts({ name, maximumRetryCount: 0 }, { ...facts, manuallyStopped: true }), false);
    }
  });

  test('on-failure restarts non-zero exits up to the retry count', () => {
    const policy = { name: 'on-failure', maximumRetryCount: 2 } as const;
    assert.equal(policyRestarts(policy, { ...facts, exitCode: 0 }), false);
    assert.equal(policyRestarts(policy, { ...facts, restartCount: 1 }), true);
    assert.equal(policyRestarts(policy, { ...facts, restartCount: 2 }), false);
    assert.equal(policyRestarts({ name: 'on-failure', maximumRetryCount: 0 }, { ...facts, restartCount: 99 }), true);
  });

  test('policies are validated with dockerd messages', () => {
    assert.deepEqual(parseRestartPolicy({}), { name: 'no', maximumRetryCount: 0 });
    assert.deepEqual(parseRestartPolicy({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }), {
      name: 'on-failure',
      maximumRetryCount: 3,
    });
    assert.throws(() => parseRestartPolicy({ RestartPolicy: { Name: 'sometimes' } }), /invalid restart policy 'sometimes'/);
    assert.throws(
      () => parseRestartPolicy({ RestartPolicy: { Name: 'always', MaximumRetryCount: 2 } }),
      /maximum retry count cannot be used with restart policy 'always'/,
    );
    assert.throws(() => parseRestartPolicy({ RestartPolicy: { Name: 'always' }, AutoRemove: true }), /AutoRemove/);
  });
});

describe('RestartManager', () => {
  test('keeps the backoff per container and cancels pending restarts', async () => {
    const manager = new RestartManager();
    const always = { name: 'always', maximumRetryCount: 0 } as const;
    const exit = { exitCode: 0, manuallyStopped: false, restartCount: 0 };
    assert.equal(manager.decide('a', always, exit, 10), 100);
    assert.equal(manager.decide('a', always, exit, 10), 200);
    assert.equal(manager.decide('b', always, exit, 10), 100);
    assert.equal(manager.decide('a', always, { ...exit, manuallyStopped: true }, 10), undefined);
    let ran = 0;
    manager.schedule('a', 1, () => (ran += 1));
    assert.equal(manager.cancel('a'), true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ran, 0);
    await new Promise<void>((resolve) => manager.schedule('b', 1, resolve));
    assert.equal(manager.isPending('b'), false);
    manager.reset('a');
    assert.equal(manager.decide('a', always, exit, 10), 100);
    manager.close();
  });
});
