import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trayPresentation } from './tray-presentation.js';

describe('tray presentation', () => {
  it('shows a running engine with its API version', () => {
    assert.deepEqual(trayPresentation({ state: 'running', host: 'unix:///run/berth/docker.sock', apiVersion: '1.41' }), {
      icon: 'running',
      tooltip: 'Berth: engine running (unix:///run/berth/docker.sock)',
      statusLine: 'Engine running · API 1.41',
    });
  });

  it('says why the engine is unreachable, briefly', () => {
    const long = `connect ENOENT ${'x'.repeat(100)}`;
    const shown = trayPresentation({ state: 'unreachable', host: 'unix:///run/berth/docker.sock', message: long });
    assert.equal(shown.icon, 'unreachable');
    assert.ok(shown.statusLine.startsWith('Engine unreachable: connect ENOENT'));
    assert.ok(shown.statusLine.length <= 'Engine unreachable: '.length + 60);
  });

  it('shows a connection in progress', () => {
    assert.equal(trayPresentation({ state: 'connecting', host: 'unix:///x.sock' }).icon, 'connecting');
  });
});
