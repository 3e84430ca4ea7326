import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { snap } from '../artifacts.js';
import { launchBrowser, openApp } from '../harness.js';
import { AppShell, ContainerDetailsPage, ContainersPage, ImagesPage } from '../pages/app-page.js';
import { canRunRealStack, startRealStack, type RealStack } from '../real-stack.js';

/**
 * The desktop app's web mode against a REAL engine (temp data root), a real registry and Chromium:
 * what a user does, start to finish. Flows whose engine endpoint is not there yet are skipped with a
 * reason found by asking the engine, so they start running the day the endpoint lands.
 */
const skip = canRunRealStack();

describe('the app against a real engine', { skip: skip ?? false }, () => {
  let stack: RealStack;
  let browser: Browser;
  let page: Page;
  let shell: AppShell;

  before(async () => {
    [stack, browser] = await Promise.all([startRealStack(), launchBrowser()]);
    ({ page } = await openApp(browser, stack.web));
    page.setDefaultTimeout(15_000);
    shell = new AppShell(page);
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs in with the URL token and shows a running engine', async () => {
    assert.equal(new URL(page.url()).searchParams.get('token'), null);
    await shell.waitForEngine();
    await snap(page, 'dashboard');
  });

  it('pulls an image from the UI with per-layer progress', async () => {
    await shell.goTo('Images');
    const images = new ImagesPage(page);
    await images.pull(stack.busybox);
    await images.layers.first().waitFor();
    await images.pullStatus.filter({ hasText: /Downloaded newer image|Image is up to date/ }).waitFor({ timeout: 60_000 });
    // Every layer of the image reached "Pull complete" and shows a full bar.
    const layers = await images.layers.count();
    assert.ok(layers >= 1);
    for (let i = 0; i < layers; i++) {
      assert.equal(await images.layers.nth(i).getByRole('progressbar').getAttribute('aria-valuenow'), '100');
    }
    await snap(page, 'pull-done');
    await images.closePullDialog();
    await images.row(stack.busybox).waitFor();
    const cli = await stack.docker(['image', 'inspect', '--format', '{{.Id}}', stack.busybox]);
    assert.equal(cli.exitCode, 0, cli.stderr);
  });

  it('runs a container from the run dialog and follows its logs live', async () => {
    await shell.goTo('Containers');
    const containers = new ContainersPage(page);
    const dialog = await containers.openRunDialog();
    await dialog.fill({
      image: stack.busybox,
      name: 'e2e-counter',
      command: `sh -c "trap 'exit 0' TERM; i=0; while true; do i=\\$((i+1)); echo \\"tick \\$i \\$GREETING\\"; sleep 0.2; done"`,
      env: ['GREETING=from-the-dialog'],
      restartPolicy: 'Never',
    });
    await snap(page, 'run-dialog');
    await dialog.submit();
    // The dialog opens the new container's logs; lines keep arriving while we watch.
    const details = new ContainerDetailsPage(page);
    await details.logLines.filter({ hasText: 'tick 2 from-the-dialog' }).first().waitFor();
    const last = (await details.logLines.last().textContent()) ?? '';
    const seen = Number(/tick (\d+)/.exec(last)?.[1]);
    assert.ok(seen >= 2, `last line: ${last}`);
    await details.logLines
      .filter({ hasText: `tick ${seen + 5} from-the-dialog` })
      .first()
      .waitFor({ timeout: 10_000 });
    await snap(page, 'logs-live');
    const inspect = await stack.docker(['inspect', '--format', '{{.State.Status}} {{json .Config.Env}}', 'e2e-counter']);
    assert.equal(inspect.exitCode, 0, inspect.stderr);
    assert.match(inspect.stdout, /^running .*GREETING=from-the-dialog/);
  });

  it('shows the engine refusing a bad run plainly', async () => {
    await shell.goTo('Containers');
    const dialog = await new ContainersPage(page).openRunDialog();
    await dialog.fill({ image: stack.busybox, name: 'e2e-counter' });
    await dialog.submit();
    await dialog.error.filter({ hasText: /e2e-counter.*(already in use|Conflict)/i }).waitFor();
    await snap(page, 'run-conflict');
    await page.keyboard.press('Escape');
    await dialog.dialog.waitFor({ state: 'detached' });
  });

  it('stops and removes the container', async () => {
    await shell.goTo('Containers');
    const containers = new ContainersPage(page);
    await containers.state('e2e-counter').filter({ hasText: 'Running' }).waitFor();
    await containers.act('e2e-counter', 'Stop');
    await containers.state('e2e-counter').filter({ hasText: 'Exited' }).waitFor();
    await snap(page, 'containers-stopped');
    await containers.act('e2e-counter', 'Remove');
    await containers.confirm('Remove');
    await containers.row('e2e-counter').waitFor({ state: 'detached' });
    const ps = await stack.docker(['ps', '-a', '--format', '{{.Names}}']);
    assert.doesNotMatch(ps.stdout, /e2e-counter/);
  });

  it('shows a container started from the docker CLI without a reload', async (t) => {
    if (!(await stack.supports('GET', '/events?since=0&until=1'))) return t.skip('the engine has no /events yet');
    await shell.goTo('Containers');
    const containers = new ContainersPage(page);
    const run = await stack.docker(['run', '-d', '--name', 'from-cli', stack.busybox, 'sleep', '30']);
    assert.equal(run.exitCode, 0, run.stderr);
    await containers.state('from-cli').filter({ hasText: 'Running' }).waitFor();
    await stack.docker(['rm', '-f', 'from-cli']);
    await containers.row('from-cli').waitFor({ state: 'detached' });
  });

  it('charts live stats', async (t) => {
    if (!(await stack.supports('GET', '/containers/nothing/stats?stream=false'))) {
      return t.skip('the engine has no /containers/:id/stats yet');
    }
    const run = await stack.docker(['run', '-d', '--name', 'e2e-stats', stack.busybox, 'sh', '-c', 'while true; do :; done']);
    assert.equal(run.exitCode, 0, run.stderr);
    await shell.goTo('Containers');
    const details = await new ContainersPage(page).open('e2e-stats');
    await details.tab('Stats');
    const cpu = page.locator('.stat-card').filter({ hasText: 'CPU' }).locator('.card-value');
    await cpu.filter({ hasText: /%/ }).waitFor();
    await page.waitForFunction(
      () => (document.querySelector('.stat-card polyline')?.getAttribute('points') ?? '').split(' ').length >= 3,
    );
    await snap(page, 'stats');
    await stack.docker(['rm', '-f', 'e2e-stats']);
  });
});
