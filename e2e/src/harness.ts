/**
 * E2E harness: starts the web mode (`app-host/dist/web-main.js`) against a Docker-API socket and a
 * headless Chromium (playwright-core). The socket is given (real-engine suite, see real-stack.ts) or
 * comes from BERTH_TEST_SOCKET; without either, the FAKE Docker API fixture is started (component-level
 * states the real engine cannot easily produce).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startFakeDockerApi, type FakeDockerApi } from './fixtures/fake-docker-api.js';

export const CHROMIUM_PATH = process.env['BERTH_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface WebMode {
  /** URL with the one-time token (first stdout line of web-main). */
  readonly loginUrl: string;
  /** Base URL without the token. */
  readonly baseUrl: string;
  readonly socketPath: string;
  readonly usingFake: boolean;
  close(): Promise<void>;
}

export async function startWebMode(options: { extraContainers?: number; socketPath?: string } = {}): Promise<WebMode> {
  let fake: FakeDockerApi | undefined;
  let socketPath = options.socketPath ?? process.env['BERTH_TEST_SOCKET'];
  if (socketPath === undefined || socketPath === '') {
    const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-'));
    fake = await startFakeDockerApi({
      socketPath: join(dir, 'docker.sock'),
      extraContainers: options.extraContainers ?? 0,
      logIntervalMs: 300,
    });
    socketPath = fake.socketPath;
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [join(repoRoot, 'app-host/dist/web-main.js'), '--host', `unix://${socketPath}`, '--listen', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const loginUrl = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`web mode did not print its URL in time\n${stderr}`)), 15_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web mode exited with ${code}\n${stderr}`));
    });
  });
  const url = new URL(loginUrl);
  return {
    loginUrl,
    baseUrl: `${url.protocol}//${url.host}/`,
    socketPath,
    usingFake: fake !== undefined,
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
      await fake?.close();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export async function openApp(
  browser: Browser,
  web: WebMode,
  options: { colorScheme?: 'dark' | 'light' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 1360, height: 820 },
    colorScheme: options.colorScheme ?? 'dark',
  });
  const page = await context.newPage();
  await page.goto(web.loginUrl);
  return { context, page };
}
