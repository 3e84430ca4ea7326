import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { snap } from '../artifacts.js';
import { AppShell, ContainersPage } from '../pages/app-page.js';
import { canRunRealStack, startRealStack, type RealStack } from '../real-stack.js';

/**
 * The packaged shape of the desktop app: Electron main + preload + renderer against a real engine.
 * Runs only where an Electron binary exists (not on this project's CI machines, which cannot
 * download it: ELECTRON_SKIP_BINARY_DOWNLOAD); the same flows run in the browser suite meanwhile.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const electronBinary = process.env['BERTH_ELECTRON_BINARY'] ?? `${root}node_modules/electron/dist/electron`;
const hasDisplay = (process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY'] ?? '') !== '';
const skip = !existsSync(electronBinary)
  ? `no Electron binary at ${electronBinary}`
  : !hasDisplay
    ? 'no display for Electron (set DISPLAY, e.g. under xvfb-run)'
    : canRunRealStack();

describe('the Electron app against a real engine', { skip: skip ?? false }, () => {
  let stack: RealStack;
  let app: ElectronApplication;
  let page: Page;

  before(async () => {
    stack = await startRealStack();
    app = await _electron.launch({
      executablePath: electronBinary,
      args: [`${root}electron/dist/main/main.js`],
      env: { ...process.env, BERTH_DOCKER_HOST: `unix://${stack.engine.socketPath}` },
    });
    page = await app.firstWindow();
  });

  after(async () => {
    await app?.close();
    await stack?.close();
  });

  it('shows the engine running, with the renderer isolated from Node', async () => {
    page.setDefaultTimeout(30_000);
    await new AppShell(page).waitForEngine();
    assert.equal(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require), 'undefined');
    assert.equal(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process), 'undefined');
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const window = BrowserWindow.getAllWindows()[0];
      const web = window?.webContents;
      return { url: web?.getURL() ?? '', windows: BrowserWindow.getAllWindows().length };
    });
    assert.match(prefs.url, /^app:\/\//);
    assert.equal(prefs.windows, 1);
    await snap(page, 'electron-dashboard');
  });

  it('never opens a second window, and refuses navigation away from the app', async () => {
    await page.evaluate(() => window.open('https://example.com/', '_blank'));
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    const state = await app.evaluate(({ BrowserWindow }) => ({
      windows: BrowserWindow.getAllWindows().length,
      url: BrowserWindow.getAllWindows()[0]?.webContents.getURL() ?? '',
    }));
    assert.equal(state.windows, 1);
    assert.match(state.url, /^app:\/\//);
  });

  it('lists a container started from the docker CLI', async () => {
    const pull = await stack.docker(['pull', stack.busybox]);
    assert.equal(pull.exitCode, 0, pull.stderr);
    const run = await stack.docker(['run', '-d', '--name', 'electron-e2e', stack.busybox, 'sleep', '30']);
    assert.equal(run.exitCode, 0, run.stderr);
    await new AppShell(page).goTo('Containers');
    await new ContainersPage(page).state('electron-e2e').filter({ hasText: 'Running' }).waitFor();
    await stack.docker(['rm', '-f', 'electron-e2e']);
  });
});
