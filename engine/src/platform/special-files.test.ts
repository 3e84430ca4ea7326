import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markTopDirectory } from './special-files.js';

/** The attribute letters `lsattr -d` prints for a directory, or undefined where the filesystem has none. */
function attributes(path: string): string | undefined {
  try {
    return execFileSync('lsattr', ['-d', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(' ')[0];
  } catch {
    return undefined;
  }
}

test('markTopDirectory sets the top-directory flag, and says so only when it did', async () => {
  const base = await mkdtemp(join(tmpdir(), 'berth-topdir-'));
  try {
    const dir = join(base, 'snapshots');
    await mkdir(dir);
    const before = attributes(dir);
    const marked = await markTopDirectory(dir);
    const after = attributes(dir);
    if (marked) {
      assert.ok(before !== undefined && !before.includes('T'), `fresh directory already marked: ${before}`);
      assert.ok(after?.includes('T'), `flags after marking: ${after}`);
    } else {
      // A filesystem without the flag (tmpfs, xfs...): nothing may claim it is set.
      assert.ok(after === undefined || !after.includes('T'), `flag set but reported unsupported: ${after}`);
    }
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});

test('markTopDirectory reports false for a path it cannot mark', async () => {
  assert.equal(await markTopDirectory(join(tmpdir(), 'berth-topdir-missing', 'nowhere')), false);
});
