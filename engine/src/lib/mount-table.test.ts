import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountPropagationOf } from './mount-table.js';

const mountInfo = [
  '22 1 252:1 / / rw,relatime - ext4 /dev/vda rw',
  '30 22 0:40 / /srv rw,relatime shared:7 - tmpfs tmpfs rw',
  '31 30 0:41 / /srv/inner rw,relatime master:7 - tmpfs tmpfs rw',
  '32 22 0:42 / /srv2 rw - tmpfs tmpfs rw',
].join('\n');

test('the innermost mount holding a path, with its propagation', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mount-table-'));
  const file = join(dir, 'mountinfo');
  await writeFile(file, mountInfo);
  try {
    assert.deepEqual(await mountPropagationOf('/srv/data', file), { mountPoint: '/srv', shared: true, slave: false });
    assert.deepEqual(await mountPropagationOf('/srv/inner/x', file), { mountPoint: '/srv/inner', shared: false, slave: true });
    assert.deepEqual(await mountPropagationOf('/srv2/x', file), { mountPoint: '/srv2', shared: false, slave: false });
    // A sibling whose name starts alike is not inside.
    assert.deepEqual(await mountPropagationOf('/srvx/a', file), { mountPoint: '/', shared: false, slave: false });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
