import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Screenshots of e2e runs, kept as CI artifacts (artifacts/ is gitignored). */
export const artifactsDir = process.env['BERTH_E2E_ARTIFACTS'] ?? fileURLToPath(new URL('../../artifacts/e2e/', import.meta.url));

export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: join(artifactsDir, `${name}.png`) });
}
