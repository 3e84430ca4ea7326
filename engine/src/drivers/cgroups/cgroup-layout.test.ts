import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCgroupLayout } from './cgroup-layout.js';

test('a hybrid host (v1 controllers and cgroup2 at /sys/fs/cgroup/unified) is a v1 host', () => {
  const mountinfo = [
    '22 1 0:21 / / rw,relatime - ext4 /dev/vda rw',
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
    '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio',
    '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids',
    '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    '',
  ].join('\n');
  const layout = parseCgroupLayout(mountinfo);
  assert.equal(layout.version, 1);
  if (layout.version !== 1) return;
  assert.equal(layout.controllers.get('cpu'), '/sys/fs/cgroup/cpu');
  assert.equal(layout.controllers.get('cpuacct'), '/sys/fs/cgroup/cpuacct');
  assert.equal(layout.controllers.get('memory'), '/sys/fs/cgroup/memory');
  assert.equal(layout.controllers.has('name=systemd'), false);
});

test('co-mounted v1 controllers (cpu,cpuacct) share one mount point', () => {
  const layout = parseCgroupLayout(
    '25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,cpu,cpuacct\n',
  );
  assert.equal(layout.version, 1);
  if (layout.version !== 1) return;
  assert.equal(layout.controllers.get('cpu'), '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(layout.controllers.get('cpuacct'), '/sys/fs/cgroup/cpu,cpuacct');
});

test('cgroup2 mounted at /sys/fs/cgroup is a unified (v2) host', () => {
  const layout = parseCgroupLayout(
    '30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n',
  );
  assert.deepEqual(layout, { version: 2, root: '/sys/fs/cgroup' });
});

test('no cgroup mount at all is an error', () => {
  assert.throws(() => parseCgroupLayout('22 1 0:21 / / rw - ext4 /dev/vda rw\n'), /no cgroup hierarchy/);
});
