// UI performance of the web mode, measured in Debian's Chromium (playwright-core) against the FAKE
// Docker API fixture (1,000 containers and a log flood are states a real engine cannot make cheaply):
//   - first render of the 1,000-container list (click on "Containers" to rows painted),
//   - frame time p95 while the log view follows 50,000 lines/s,
//   - navigation to an interactive container list (cold page load with the token URL).
// `npm run bench` calls benchUi(); `node scripts/bench/ui-bench.mjs` runs it alone. Needs `npm run build`.
/* global document, performance, requestAnimationFrame, MutationObserver -- page.evaluate bodies run in the browser */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFakeDockerApi } from '../../e2e/dist/fixtures/fake-docker-api.js';
import { launchBrowser, startWebMode } from '../../e2e/dist/harness.js';

const CONTAINERS = 1000;
const FLOOD_MS = 10;
const FLOOD_LINES = 500; // per FLOOD_MS: 50,000 lines/s
const FOLLOW_SECONDS = 5;

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const round = (value) => Math.round(value * 10) / 10;

/**
 * Takes `{ socketPath }` from `npm run bench` but measures against the fixture, so the numbers do not
 * depend on how many containers the engine under test happens to have.
 */
export async function benchUi() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ui-bench-'));
  const fake = await startFakeDockerApi({
    socketPath: join(dir, 'docker.sock'),
    extraContainers: CONTAINERS - 6,
    logIntervalMs: FLOOD_MS,
    logLinesPerTick: FLOOD_LINES,
  });
  const web = await startWebMode({ socketPath: fake.socketPath });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
    const page = await context.newPage();

    // Navigation to interactive: token URL -> cookie -> app -> the container list's rows and search box.
    const navStart = Date.now();
    await page.goto(`${web.loginUrl}#/containers`);
    await page.getByTestId('container-row').first().waitFor();
    await page.getByRole('searchbox', { name: 'Search containers' }).click({ trial: true });
    const navigationToInteractiveMs = Date.now() - navStart;
    const rowsTotal = await page.evaluate(() => document.querySelectorAll('[data-testid="container-row"]').length);

    // First render of the list from an in-app navigation (store already warm, as a user clicking around).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('container-row').first().waitFor({ state: 'detached' });
    const firstRenderMs = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const link = [...document.querySelectorAll('nav[aria-label="Main"] a')].find((a) =>
            a.textContent?.includes('Containers'),
          );
          const start = performance.now();
          const done = () => requestAnimationFrame(() => resolve(performance.now() - start));
          const observer = new MutationObserver(() => {
            if (document.querySelector('[data-testid="container-row"]') !== null) {
              observer.disconnect();
              done();
            }
          });
          observer.observe(document.body, { childList: true, subtree: true });
          link?.click();
        }),
    );

    // Follow a log flood and record every frame's duration.
    await page.goto(`${web.baseUrl}#/containers/web/logs`);
    await page.locator('.log-line').first().waitFor();
    const follow = await page.evaluate(
      (seconds) =>
        new Promise((resolve) => {
          const frames = [];
          let last = performance.now();
          const end = last + seconds * 1000;
          const tick = (now) => {
            frames.push(now - last);
            last = now;
            if (now < end) requestAnimationFrame(tick);
            else resolve(frames);
          };
          requestAnimationFrame(tick);
        }),
      FOLLOW_SECONDS,
    );
    const linesShown = await page
      .getByTestId('logs-meta')
      .textContent()
      .catch(() => null);
    await context.close();
    return {
      containers: CONTAINERS,
      rowsRendered: rowsTotal,
      listFirstRenderMs: round(firstRenderMs),
      navigationToInteractiveMs,
      logFollowLinesPerSecond: (FLOOD_LINES * 1000) / FLOOD_MS,
      logFollowFrames: follow.length,
      logFollowFrameP95Ms: round(percentile(follow, 95)),
      logFollowFrameMaxMs: round(Math.max(...follow)),
      ...(linesShown !== null ? { logLinesShown: linesShown.trim() } : {}),
    };
  } finally {
    await browser.close();
    await web.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchUi(), null, 2));
}
