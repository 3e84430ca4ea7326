import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandRootfsMounter } from './rootfs-mounter.js';

const isRoot = process.getuid?.() === 0;

test(
  'mounts of one target take turns: two at once (prewarm and docker cp) leave one mount, one unmount none',
  { skip: !isRoot && 'needs root' },
  async () => {
    const dir = await mkdtemp('/tmp/berth-mounter-');
    const source = join(dir, 'layer');
    const target = join(dir, 'rootfs');
    await mkdir(source);
    const mounter = new CommandRootfsMounter();
    const mountsAt = () =>
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((line) => line.split(' ')[4] === target).length;
    try {
      const spec = [{ type: 'bind', source, options: ['rbind', 'rw'] }];
      await Promise.all([mounter.mount(spec, target), mounter.mount(spec, target)]);
      assert.equal(mountsAt(), 1);
      await mounter.unmount(target);
      assert.equal(mountsAt(), 0);
    } finally {
      while (mountsAt() > 0) await mounter.unmount(target);
      await rm(dir, { recursive: true, force: true });
    }
  },
);
