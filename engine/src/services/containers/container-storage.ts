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
