import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deviceMajor, deviceMinor, listHostDevices } from './host-devices.js';

describe('host devices', () => {
  it('splits dev_t like glibc', () => {
    assert.equal(deviceMajor(0x0103n), 1);
    assert.equal(deviceMinor(0x0103n), 3);
    // major 259, minor 65536 (large numbers use the high bits)
    const rdev = ((259n & 0xfffn) << 8n) | (65536n & 0xffn) | ((65536n & ~0xffn) << 12n);
    assert.equal(deviceMajor(rdev), 259);
    assert.equal(deviceMinor(rdev), 65536);
  });

  it('lists /dev/null as c 1:3 and skips /dev/pts', async () => {
    const devices = await listHostDevices();
    assert.deepEqual(
      devices.find((device) => device.path === '/dev/null'),
      { type: 'c', path: '/dev/null', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    );
    assert.ok(!devices.some((device) => device.path.startsWith('/dev/pts/')));
  });
});
