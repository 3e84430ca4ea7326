import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciLinux } from '../../core/runtime/oci-spec.js';

export type HostDevice = NonNullable<OciLinux['devices']>[number];

/** Directories under /dev that hold no devices a container should get (containerd's HostDevices list). */
const skippedDirectories = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/**
 * Every character and block device node under /dev, for privileged containers (`--privileged`
 * gives the container the host's devices, as dockerd does). Symlinks and /dev/console are left
 * out: runc sets up the container's own console.
 */
export async function listHostDevices(root = '/dev'): Promise<HostDevice[]> {
  const devices: HostDevice[] = [];
  await walk(root, devices);
  return devices;
}

async function walk(directory: string, devices: HostDevice[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const path = join(directory, name);
    let info;
    try {
      info = await lstat(path, { bigint: true });
    } catch {
      continue; // vanished meanwhile (hotplug)
    }
    if (info.isDirectory()) {
      if (!skippedDirectories.has(name)) await walk(path, devices);
      continue;
    }
    if (path === '/dev/console') continue;
    const type = info.isCharacterDevice() ? 'c' : info.isBlockDevice() ? 'b' : undefined;
    if (type === undefined) continue;
    devices.push({
      type,
      path,
      major: deviceMajor(info.rdev),
      minor: deviceMinor(info.rdev),
      fileMode: Number(info.mode & 0o777n),
      uid: Number(info.uid),
      gid: Number(info.gid),
    });
  }
}

/** glibc's gnu_dev_major/minor: the 64-bit dev_t splits each number in two parts. */
export function deviceMajor(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
}

export function deviceMinor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
}
