import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { snap } from '../artifacts.js';
import { launchBrowser, openApp } from '../harness.js';
import { AppShell, CommandPalette, ContainerDetailsPage, ContainersPage, ImagesPage } from '../pages/app-page.js';
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

  it('searches the logs with a regex, highlights hits and filters to matching lines', async () => {
    const details = new ContainerDetailsPage(page);
    await details.searchLogs('tick [0-9]*7 ', { regex: true });
    await details.logMatches.filter({ hasText: /\d+ \/ \d+/ }).waitFor();
    await page.locator('.log-line mark.log-hit').first().waitFor();
    await details.searchLogs('tick [0-9]*7 ', { filter: true });
    await page.waitForFunction(() => {
      const lines = Array.from(document.querySelectorAll('.log-line .log-text')).map((line) => line.textContent ?? '');
      return lines.length > 0 && lines.every((text) => /tick [0-9]*7 /.test(text));
    });
    await snap(page, 'logs-search');
    await details.searchLogs('');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
  });

  it('opens a terminal in the container, and keeps the session across a reload', async () => {
    const details = new ContainerDetailsPage(page);
    await details.tab('Terminal');
    await details.terminalStatus.filter({ hasText: 'Connected' }).waitFor();
    await details.typeInTerminal('echo $((6*7))');
    await details.waitForTerminalLine('42');
    await snap(page, 'terminal');
    // The shell lives in the host: a reload reattaches to it and replays what it printed.
    await details.typeInTerminal('export BERTH_MARK=still-here');
    // The shell has read the line once it prints the next prompt after it.
    await details.waitForTerminalText('export BERTH_MARK=still-here');
    await details.waitForTerminalText('/ #', 3);
    await page.reload();
    await details.terminalStatus.filter({ hasText: 'Connected' }).waitFor();
    await details.waitForTerminalLine('42');
    await details.typeInTerminal('echo $BERTH_MARK');
    await details.waitForTerminalLine('still-here');
    const execs = await stack.docker(['inspect', '--format', '{{len .ExecIDs}}', 'e2e-counter']);
    assert.equal(execs.exitCode, 0, execs.stderr);
  });

  it('shows the environment, processes and ports of a container', async () => {
    const details = new ContainerDetailsPage(page);
    await details.tab('Env');
    await page.getByTestId('env-table').getByText('from-the-dialog').waitFor();
    await details.tab('Processes');
    await page.getByTestId('processes-table').getByText(/tick/).first().waitFor();
    await snap(page, 'processes');
  });

  it('tags an image and shows its layer history', async () => {
    await shell.goTo('Images');
    const images = new ImagesPage(page);
    await page.getByRole('button', { name: `Tag ${stack.busybox}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Tag image' }).getByLabel('New reference').fill('e2e/retagged:v1');
    await page.getByRole('dialog', { name: 'Tag image' }).getByRole('button', { name: 'Tag', exact: true }).click();
    await images.rows.filter({ hasText: 'e2e/retagged' }).waitFor();
    const cli = await stack.docker(['image', 'inspect', '--format', '{{.Id}}', 'e2e/retagged:v1']);
    assert.equal(cli.exitCode, 0, cli.stderr);
    await page.getByRole('button', { name: 'Layers of e2e/retagged:v1', exact: true }).click();
    await page.getByTestId('image-history').locator('li').first().waitFor();
    await snap(page, 'image-history');
    await page.getByRole('dialog').getByRole('button', { name: 'Close', exact: true }).last().click();
    await page.getByRole('button', { name: 'Remove e2e/retagged:v1', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await images.rows.filter({ hasText: 'e2e/retagged' }).waitFor({ state: 'detached' });
  });

  it('pushes a tagged image to its registry with per-layer progress', async () => {
    await shell.goTo('Images');
    const images = new ImagesPage(page);
    const target = `${stack.registry.host}/e2e/pushed:v1`;
    const tag = await stack.docker(['tag', stack.busybox, target]);
    assert.equal(tag.exitCode, 0, tag.stderr);
    await images.rows.filter({ hasText: 'e2e/pushed' }).waitFor();
    await page.getByRole('button', { name: `Push ${target}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Push image' });
    // Each layer ends as pushed, or as already there (the registry holds busybox's blobs: cross-repo mount).
    await dialog
      .getByTestId('pull-status')
      .filter({ hasText: /v1: digest: sha256:[0-9a-f]{64}/ })
      .waitFor({ timeout: 60_000 });
    const layers = await images.layers.count();
    assert.ok(layers >= 1);
    for (let i = 0; i < layers; i++) {
      const layer = images.layers.nth(i);
      assert.match((await layer.textContent()) ?? '', /Pushed|Layer already exists|Mounted from/);
      assert.equal(await layer.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
    }
    assert.equal(await dialog.getByRole('progressbar', { name: 'Overall progress' }).getAttribute('aria-valuenow'), '100');
    await page.waitForTimeout(300); // the bar's width transition, for the screenshot
    await snap(page, 'push-done');
    await dialog.getByRole('button', { name: 'Done', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    // The registry now serves the tag: pull it back through the CLI under a fresh name.
    const tags = await fetch(`${stack.registry.url}/v2/e2e/pushed/tags/list`);
    assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v1']);
    const rmi = await stack.docker(['rmi', target]);
    assert.equal(rmi.exitCode, 0, rmi.stderr);
    const pull = await stack.docker(['pull', target]);
    assert.equal(pull.exitCode, 0, pull.stderr);
    await stack.docker(['rmi', target]);
  });

  it('creates a volume from the command palette', async (t) => {
    if (!(await stack.supports('GET', '/volumes'))) return t.skip('the engine has no /volumes yet');
    await new CommandPalette(page).run('create vol', 'Create a volume…');
    const dialog = page.getByRole('dialog', { name: 'Create a volume' });
    await dialog.getByLabel('Name').fill('e2e-data');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await shell.goTo('Volumes');
    await page.locator('[data-testid="volume-row"][data-name="e2e-data"]').waitFor();
    const cli = await stack.docker(['volume', 'inspect', '--format', '{{.Name}}', 'e2e-data']);
    assert.equal(cli.stdout.trim(), 'e2e-data', cli.stderr);
    // Put files in it from the CLI, then browse them from the UI (a helper container lists them).
    const fill = await stack.docker([
      'run',
      '--rm',
      '-v',
      'e2e-data:/data',
      stack.busybox,
      'sh',
      '-c',
      'mkdir /data/conf && echo hello > /data/conf/app.ini && echo x > /data/top.txt',
    ]);
    assert.equal(fill.exitCode, 0, fill.stderr);
    await page.getByRole('button', { name: 'Browse volume e2e-data' }).click();
    const files = page.getByTestId('volume-files');
    await files.getByText('top.txt').waitFor();
    await files.getByRole('button', { name: /conf/ }).click();
    await files.getByText('app.ini').waitFor();
    await snap(page, 'volume-browser');
    await page
      .getByRole('dialog', { name: 'Volume e2e-data' })
      .getByRole('button', { name: 'Close', exact: true })
      .last()
      .click();
    await snap(page, 'volumes');
    await page.getByRole('button', { name: 'Remove volume e2e-data' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await page.locator('[data-testid="volume-row"][data-name="e2e-data"]').waitFor({ state: 'detached' });
  });

  it('creates a network and lists the containers on it', async (t) => {
    if (!(await stack.supports('GET', '/networks'))) return t.skip('the engine has no /networks yet');
    await shell.goTo('Networks');
    await page.getByRole('button', { name: 'Create network' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a network' });
    await dialog.getByLabel('Name').fill('e2e-net');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.locator('[data-testid="network-row"][data-name="e2e-net"]').waitFor();
    const run = await stack.docker(['run', '-d', '--name', 'e2e-on-net', '--network', 'e2e-net', stack.busybox, 'sleep', '60']);
    assert.equal(run.exitCode, 0, run.stderr);
    await page
      .locator('[data-testid="network-row"][data-name="e2e-net"]')
      .getByRole('button', { name: 'e2e-net', exact: true })
      .click();
    await page.getByTestId('network-members').getByText('e2e-on-net').waitFor();
    await snap(page, 'network-details');
    await page.getByRole('dialog').getByRole('button', { name: 'Close', exact: true }).last().click();
    await stack.docker(['rm', '-f', 'e2e-on-net']);
    await stack.docker(['network', 'rm', 'e2e-net']);
  });

  it('selects containers with the keyboard and stops them in bulk', async () => {
    for (const name of ['e2e-bulk-1', 'e2e-bulk-2']) {
      const run = await stack.docker([
        'run',
        '-d',
        '--name',
        name,
        '--label',
        'com.docker.compose.project=e2e-bulk',
        stack.busybox,
        'sh',
        '-c',
        "trap 'exit 0' TERM; sleep 300 & wait",
      ]);
      assert.equal(run.exitCode, 0, run.stderr);
    }
    await shell.goTo('Containers');
    const containers = new ContainersPage(page);
    const group = page.locator('[data-testid="group-row"][data-project="e2e-bulk"]');
    await group.getByText('2/2 running').waitFor();
    await page.getByTestId('containers-scroll').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Space');
    await containers.row('e2e-bulk-1').and(page.locator('[aria-selected="true"]')).waitFor();
    await containers.row('e2e-bulk-2').and(page.locator('[aria-selected="true"]')).waitFor();
    await snap(page, 'containers-bulk');
    await page.getByRole('toolbar', { name: 'Selected containers' }).getByRole('button', { name: 'Stop' }).click();
    await group.getByText('0/2 running').waitFor({ timeout: 30_000 });
    await page.getByTestId('containers-scroll').focus();
    await page.keyboard.press('Delete');
    await page.getByRole('dialog', { name: 'Remove 2 containers?' }).getByRole('button', { name: 'Remove' }).click();
    await group.waitFor({ state: 'detached' });
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

  it('shows engine activity on the dashboard timeline, also after a reload', async () => {
    await shell.goTo('Dashboard');
    await page
      .getByTestId('recent-events')
      .getByText(/destroy e2e-stats/)
      .first()
      .waitFor();
    await page.reload();
    // The last hour comes back from the engine's event history, not from the page's memory.
    await page
      .getByTestId('recent-events')
      .getByText(/destroy e2e-stats/)
      .first()
      .waitFor();
    await page.locator('[data-testid="events-strip"] .timeline-mark').first().waitFor();
    await snap(page, 'dashboard-activity');
  });
});
