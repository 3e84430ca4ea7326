import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openApp, startWebMode, type WebMode } from '../harness.js';
import { AppShell, ContainersPage, ImagesPage } from '../pages/app-page.js';

/**
 * Smoke suite of the web mode. Against the FAKE Docker API by default; set BERTH_TEST_SOCKET to run
 * it against a real engine (CI). Specs that depend on fixture data are skipped on a real engine.
 */
describe('web mode', () => {
  let web: WebMode;
  let browser: Browser;
  let page: Page;

  before(async () => {
    web = await startWebMode({ extraContainers: 30 });
    browser = await launchBrowser();
    ({ page } = await openApp(browser, web));
  });

  after(async () => {
    await browser?.close();
    await web?.close();
  });

  it('exchanges the URL token for a cookie and drops it from the address bar', async () => {
    assert.equal(new URL(page.url()).searchParams.get('token'), null);
    await new AppShell(page).waitForEngine();
  });

  it('lists containers and acts on them, updated by engine events', async (t) => {
    if (!web.usingFake) return t.skip('fixture data only');
    const shell = new AppShell(page);
    await shell.goTo('Containers');
    const containers = new ContainersPage(page);
    await containers.search('cache');
    await containers.state('cache').filter({ hasText: 'Running' }).waitFor();
    await containers.act('cache', 'Stop');
    await containers.state('cache').filter({ hasText: 'Exited' }).waitFor();
    await containers.act('cache', 'Start');
    await containers.state('cache').filter({ hasText: 'Running' }).waitFor();
  });

  it('shows an engine error plainly', async (t) => {
    if (!web.usingFake) return t.skip('fixture data only');
    const containers = new ContainersPage(page);
    await containers.search('migrate');
    await containers.act('migrate', 'Remove');
    await containers.confirm('Remove');
    await containers.row('migrate').waitFor({ state: 'detached' });
    await containers.search('');
  });

  it('streams logs with stderr marked, and shows inspect JSON', async (t) => {
    if (!web.usingFake) return t.skip('fixture data only');
    const containers = new ContainersPage(page);
    await containers.search('web');
    const details = await containers.open('web');
    await details.stderrLines.first().waitFor();
    const before = await details.logLines.count();
    assert.ok(before > 10);
    await details.tab('Inspect');
    const json = JSON.parse((await details.inspectJson.textContent()) ?? '{}') as { Name?: string };
    assert.equal(json.Name, '/web');
  });

  it('pulls an image with per-layer progress', async (t) => {
    if (!web.usingFake) return t.skip('fixture data only');
    await new AppShell(page).goTo('Images');
    const images = new ImagesPage(page);
    await images.rows.first().waitFor();
    const count = await images.rows.count();
    await images.pull('busybox:1.36');
    await images.layers.nth(2).waitFor();
    await images.pullStatus.filter({ hasText: 'Downloaded newer image' }).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Escape');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="image-row"]').length === n + 1, count);
  });

  it('refuses foreign Host, foreign Origin and token-less requests', async () => {
    const base = new URL(web.baseUrl);
    const api = new URL('/api/engine.version', base);
    const noToken = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base.origin },
      body: '{}',
    });
    assert.equal(noToken.status, 401);
    const cookies = await page.context().cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const ok = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base.origin, cookie },
      body: '{}',
    });
    assert.equal(ok.status, 200);
    const foreign = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example', cookie },
      body: '{}',
    });
    assert.equal(foreign.status, 403);
    // A foreign page cannot open the WebSocket either.
    const evil = await browser.newPage();
    await evil.route('http://evil.example/', (route) => route.fulfill({ body: '<html></html>', contentType: 'text/html' }));
    await evil.goto('http://evil.example/');
    const opened = await evil.evaluate(
      (url) =>
        new Promise<boolean>((resolve) => {
          const socket = new WebSocket(url);
          socket.onopen = () => resolve(true);
          socket.onerror = () => resolve(false);
        }),
      `ws://${base.host}/api/ws`,
    );
    assert.equal(opened, false);
    await evil.close();
  });
});
