import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordProbe, startingHealth } from './health-state.js';
import { formatDuration, healthcheckPlan } from './healthcheck-config.js';

const probe = (exitCode: number, n = 0) => ({ Start: `s${n}`, End: `e${n}`, ExitCode: exitCode, Output: '' });

test('failures count only after the start period and turn unhealthy at `retries`', () => {
  let health = startingHealth();
  health = recordProbe(health, probe(1), { retries: 2, withinStartPeriod: true });
  assert.deepEqual([health.Status, health.FailingStreak], ['starting', 0]);
  health = recordProbe(health, probe(1), { retries: 2, withinStartPeriod: false });
  assert.deepEqual([health.Status, health.FailingStreak], ['starting', 1]);
  health = recordProbe(health, probe(1), { retries: 2, withinStartPeriod: false });
  assert.deepEqual([health.Status, health.FailingStreak], ['unhealthy', 2]);
  health = recordProbe(health, probe(0), { retries: 2, withinStartPeriod: false });
  assert.deepEqual([health.Status, health.FailingStreak], ['healthy', 0]);
  // A healthy container's failures count even within the start period.
  health = recordProbe(health, probe(1), { retries: 2, withinStartPeriod: true });
  assert.deepEqual([health.Status, health.FailingStreak], ['healthy', 1]);
});

test('the log keeps the last five probes', () => {
  let health = startingHealth();
  for (let n = 0; n < 8; n++) health = recordProbe(health, probe(0, n), { retries: 3, withinStartPeriod: false });
  assert.deepEqual(
    health.Log.map((entry) => entry.Start),
    ['s3', 's4', 's5', 's6', 's7'],
  );
});

test('Config.Healthcheck with dockerd defaults', () => {
  assert.equal(healthcheckPlan({}), undefined);
  assert.equal(healthcheckPlan({ Healthcheck: { Test: ['NONE'] } }), undefined);
  assert.deepEqual(healthcheckPlan({ Healthcheck: { Test: ['CMD-SHELL', 'test -f /x'] } }), {
    command: ['/bin/sh', '-c', 'test -f /x'],
    intervalMs: 30_000,
    timeoutMs: 30_000,
    startPeriodMs: 0,
    retries: 3,
  });
  assert.deepEqual(
    healthcheckPlan({
      Healthcheck: { Test: ['CMD', 'true'], Interval: 500_000_000, Timeout: 2e9, StartPeriod: 1e9, Retries: 5 },
    }),
    { command: ['true'], intervalMs: 500, timeoutMs: 2000, startPeriodMs: 1000, retries: 5 },
  );
  assert.equal(formatDuration(30_000), '30s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(90_000), '1m30s');
});
