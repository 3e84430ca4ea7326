import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  APP_CONTENT_SECURITY_POLICY,
  APP_ORIGIN,
  createWebPreferences,
  decideWindowOpen,
  isAllowedNavigation,
  isTrustedSender,
  permissionRequestDecision,
  resolveAppAsset,
  trustedOrigins,
} from './policy.js';

describe('Electron security policy', () => {
  it('locks down webPreferences', () => {
    const prefs = createWebPreferences('/app/preload.cjs');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.preload, '/app/preload.cjs');
    assert.equal('enableBlinkFeatures' in prefs, false);
  });

  it('allows navigation only to the app origin (parsed, not startsWith)', () => {
    const origins = trustedOrigins();
    assert.ok(isAllowedNavigation(`${APP_ORIGIN}/index.html#/containers`, origins));
    for (const url of [
      'app://berth.evil/index.html',
      'https://example.com',
      'file:///etc/passwd',
      'http://localhost:5173/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      assert.equal(isAllowedNavigation(url, origins), false, url);
    }
    assert.ok(isAllowedNavigation('http://localhost:5173/', trustedOrigins('http://localhost:5173')));
    assert.deepEqual(trustedOrigins('http://evil.example:5173'), [APP_ORIGIN]);
  });

  it('accepts IPC only from the main frame on the app origin', () => {
    const origins = trustedOrigins();
    assert.ok(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, parent: null }, origins));
    assert.equal(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, parent: {} }, origins), false);
    assert.equal(isTrustedSender({ url: 'https://evil.example/', parent: null }, origins), false);
    assert.equal(isTrustedSender(null, origins), false);
  });

  it('never opens windows; loopback port links go to the system browser, https ones after a confirmation', () => {
    assert.deepEqual(decideWindowOpen('http://localhost:8080/'), { action: 'deny', openExternal: 'http://localhost:8080/' });
    assert.deepEqual(decideWindowOpen('http://127.0.0.1:3000/x'), { action: 'deny', openExternal: 'http://127.0.0.1:3000/x' });
    assert.deepEqual(decideWindowOpen('https://docs.docker.com/engine/'), {
      action: 'deny',
      confirmExternal: 'https://docs.docker.com/engine/',
    });
    for (const url of [
      'https://user:pw@evil.example/',
      'http://evil.example/',
      'file:///etc/passwd',
      'smb://host/share',
      'http://localhost/',
      'http://user:pw@localhost:80/',
      'ms-msdt:foo',
    ]) {
      assert.deepEqual(decideWindowOpen(url), { action: 'deny' }, url);
    }
  });

  it('denies every permission request', () => {
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal'])
      assert.equal(permissionRequestDecision(permission), false);
  });

  it('serves app:// assets only from inside the renderer directory', () => {
    assert.equal(resolveAppAsset('app://berth/', '/r'), '/r/index.html');
    assert.equal(resolveAppAsset('app://berth/assets/a.js', '/r'), '/r/assets/a.js');
    for (const url of [
      'app://berth/../etc/passwd',
      'app://berth/%2e%2e/%2e%2e/etc/passwd',
      'app://berth/..%2f..%2fetc',
      'app://other/index.html',
      'https://berth/x',
      'app://berth/a%00b',
    ]) {
      const resolved = resolveAppAsset(url, '/r');
      assert.ok(resolved === undefined || resolved.startsWith('/r/'), `${url} → ${String(resolved)}`);
    }
  });

  it('ships a strict CSP', () => {
    assert.match(APP_CONTENT_SECURITY_POLICY, /default-src 'none'/);
    assert.match(APP_CONTENT_SECURITY_POLICY, /script-src 'self'/);
    assert.doesNotMatch(APP_CONTENT_SECURITY_POLICY, /unsafe-(inline|eval)/);
  });
});
