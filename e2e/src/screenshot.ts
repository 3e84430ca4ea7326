/** Takes screenshots of the main screens into a directory (default /tmp/berth-screens). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppShell, ContainersPage, ImagesPage } from './pages/app-page.js';
import { launchBrowser, openApp, startWebMode } from './harness.js';

const outDir = process.argv[2] ?? '/tmp/berth-screens';
mkdirSync(outDir, { recursive: true });
const web = await startWebMode({ extraContainers: 60 });
const browser = await launchBrowser();
try {
  for (const scheme of ['dark', 'light'] as const) {
    const { context, page } = await openApp(browser, web, { colorScheme: scheme });
    const shell = new AppShell(page);
    await shell.waitForEngine();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(outDir, `${scheme}-dashboard.png`) });
    await shell.goTo('Containers');
    const containers = new ContainersPage(page);
    await containers.rows.first().waitFor();
    await page.screenshot({ path: join(outDir, `${scheme}-containers.png`) });
    await containers.search('shop');
    await containers.row('web').waitFor();
    await page.screenshot({ path: join(outDir, `${scheme}-containers-search.png`) });
    const details = await containers.open('web');
    await details.logLines.nth(20).waitFor();
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(outDir, `${scheme}-logs.png`) });
    if (scheme === 'dark') {
      await details.tab('Inspect');
      await details.inspectJson.waitFor();
      await page.screenshot({ path: join(outDir, `${scheme}-inspect.png`) });
      await details.tab('Stats');
      await page.waitForTimeout(2500);
      await page.screenshot({ path: join(outDir, `${scheme}-stats.png`) });
    }
    await shell.goTo('Images');
    const images = new ImagesPage(page);
    await images.rows.first().waitFor();
    await images.pull('busybox:1.36');
    await images.layers.nth(2).waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(outDir, `${scheme}-pull.png`) });
    await images.pullStatus.filter({ hasText: 'Downloaded' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(outDir, `${scheme}-pull-done.png`) });
    await page.keyboard.press('Escape');
    await shell.goTo('Volumes');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(outDir, `${scheme}-volumes.png`) });
    await shell.goTo('Networks');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(outDir, `${scheme}-networks.png`) });
    await context.close();
  }
  process.stdout.write(`screenshots in ${outDir}\n`);
} finally {
  await browser.close();
  await web.close();
}
