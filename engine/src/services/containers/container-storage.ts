import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MountSpec } from '../../core/snapshots/snapshotter.js';

/** Docker's GraphDriver.Data for overlay2. */
export interface OverlayDirs {
  LowerDir?: string;
  UpperDir?: string;
  WorkDir?: string;
}

/** The overlay directories of a container's writable snapshot, read from its mount options. */
export function overlayDirs(mounts: readonly MountSpec[]): OverlayDirs {
  const dirs: OverlayDirs = {};
  for (const mount of mounts) {
    for (const option of mount.options) {
      const [key, ...rest] = option.split('=');
      const value = rest.join('=');
      if (key === 'lowerdir') dirs.LowerDir = value;
      else if (key === 'upperdir') dirs.UpperDir = value;
      else if (key === 'workdir') dirs.WorkDir = value;
    }
  }
  return dirs;
}

/**
 * Bytes of the regular files and symlinks under `root`, each hard-linked inode counted once
 * (moby's directory.Size, which `docker ps -s` shows as SizeRw). Missing directories are empty.
 */
export async function directorySize(root: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (directory: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      const info = await lstat(path).catch(() => undefined);
      if (info === undefined) continue;
      const inode = `${info.dev}:${info.ino}`;
      if (info.nlink > 1) {
        if (seen.has(inode)) continue;
        seen.add(inode);
      }
      total += info.size;
    }
  };
  await walk(root);
  return total;
}
