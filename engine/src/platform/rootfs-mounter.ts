import { mkdir } from 'node:fs/promises';
import { invalidArgument } from '@berth/common';
import type { RootfsMounter } from '../core/containers/rootfs-mounter.js';
import type { MountSpec } from '../core/snapshots/snapshotter.js';
import { runCommand } from './run-command.js';
import { isMountPoint } from '../lib/mount-table.js';
import { unmountLazily } from './mount-points.js';
import { KeyedMutex } from '../lib/keyed-mutex.js';

/**
 * Mounts with mount(8) and unmounts with umount(8); a mount table read tells what is mounted.
 * Calls for one target take turns: a create's prewarm and a `docker cp` may both find a root
 * unmounted, and two mounts would stack (one unmount would then leave the other behind).
 */
export class CommandRootfsMounter implements RootfsMounter {
  private readonly targets = new KeyedMutex();

  mount(mounts: readonly MountSpec[], target: string): Promise<void> {
    if (mounts.length !== 1) throw invalidArgument(`expected exactly one mount for a root filesystem, got ${mounts.length}`);
    const [mount] = mounts;
    if (mount === undefined) return Promise.resolve();
    return this.targets.run(target, async () => {
      await mkdir(target, { recursive: true });
      if (await this.isMounted(target)) return;
      const options = mount.options.join(',');
      const args = mount.type === 'bind' ? ['--bind', mount.source, target] : ['-t', mount.type, mount.source, target];
      if (options !== '' && mount.type !== 'bind') args.push('-o', options);
      await runCommand('mount', args);
    });
  }

  unmount(target: string): Promise<void> {
    return this.targets.run(target, async () => {
      // Lazy detach: a process still holding a file (a late `docker cp`) must not make rm fail.
      if (await this.isMounted(target)) await unmountLazily(target);
    });
  }

  isMounted(target: string): Promise<boolean> {
    return isMountPoint(target);
  }
}
