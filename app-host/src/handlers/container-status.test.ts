import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthFromStatus, parseHumanDuration, startedAtFromStatus } from './container-status.js';

describe('container status text', () => {
  it("reads Docker's human durations", () => {
    assert.equal(parseHumanDuration('Less than a second'), 0);
    assert.equal(parseHumanDuration('1 second'), 1);
    assert.equal(parseHumanDuration('45 seconds'), 45);
    assert.equal(parseHumanDuration('About a minute'), 60);
    assert.equal(parseHumanDuration('5 minutes'), 300);
    assert.equal(parseHumanDuration('About an hour'), 3600);
    assert.equal(parseHumanDuration('26 hours'), 26 * 3600);
    assert.equal(parseHumanDuration('3 weeks'), 21 * 86_400);
    assert.equal(parseHumanDuration('soon'), undefined);
  });

  it('derives a start time from Up statuses only', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    assert.equal(startedAtFromStatus('Up 5 minutes', now), '2026-01-01T11:55:00.000Z');
    assert.equal(startedAtFromStatus('Up 2 hours (healthy)', now), '2026-01-01T10:00:00.000Z');
    assert.equal(startedAtFromStatus('Up 10 seconds (Paused)', now), '2026-01-01T11:59:50.000Z');
    assert.equal(startedAtFromStatus('Exited (0) 2 hours ago', now), undefined);
    assert.equal(startedAtFromStatus('Created', now), undefined);
  });

  it('reads the health suffix', () => {
    assert.equal(healthFromStatus('Up 5 minutes (healthy)'), 'healthy');
    assert.equal(healthFromStatus('Up 5 minutes (unhealthy)'), 'unhealthy');
    assert.equal(healthFromStatus('Up 3 seconds (health: starting)'), 'starting');
    assert.equal(healthFromStatus('Up 5 minutes'), undefined);
  });
});
