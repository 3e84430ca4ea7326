import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '../../lib/logger.js';
import { OverlayfsSnapshotter } from './overlayfs-snapshotter.js';

/** Whether `chattr +T` works where the test's temp directories live (ext4 and ext3 do, tmpfs does not). */
function supportsTopDirectoryFlag(base: string): boolean {
  try {
    const probe = join(base, 'probe');
    execFileSync('mkdir', [probe]);
    execFileSync('chattr', ['+T', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('init marks the snapshots directory as a top directory, so snapshots are spread over the disk', async (t) => {
  const dataRoot = await mkdtemp(join(tmpdir(), 'berth-snapshotter-'));
  try {
    if (!supportsTopDirectoryFlag(dataRoot)) {
      t.skip('the temp filesystem has no top-directory flag');
      return;
    }
    await mkdir(join(dataRoot, 'unrelated'));
    const snapshotter = new OverlayfsSnapshotter({ dataRoot, logger: createSilentLogger() });
    await snapshotter.init();
    const flags = (path: string): string => execFileSync('lsattr', ['-d', path], { encoding: 'utf8' }).split(' ')[0] ?? '';
    assert.ok(flags(join(dataRoot, 'snapshots')).includes('T'), flags(join(dataRoot, 'snapshots')));
    // Only the snapshots directory: the flag is a placement hint for its children, not for the data root.
    assert.ok(!flags(dataRoot).includes('T'));
    assert.ok(!flags(join(dataRoot, 'unrelated')).includes('T'));
  } finally {
    await rm(dataRoot, { recursive: true, force: true });
  }
});
