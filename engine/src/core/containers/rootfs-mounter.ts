import type { MountSpec } from '../snapshots/snapshotter.js';

/** Mounts a snapshot's filesystem at a path (implemented in platform/, the only place that mounts). */
export interface RootfsMounter {
  mount(mounts: readonly MountSpec[], target: string): Promise<void>;
  /** Unmounts if mounted; a path that is not a mount point is fine. */
  unmount(target: string): Promise<void>;
  isMounted(target: string): Promise<boolean>;
}
