import { mkdir } from 'node:fs/promises';
import { invalidArgument } from '@berth/common';
import type { RootfsMounter } from '../core/containers/rootfs-mounter.js';
import type { MountSpec } from '../core/snapshots/snapshotter.js';
import { runCommand } from './run-command.js';
import { isMountPoint } from '../lib/mount-table.js';
import { unmountLazily } from './mount-points.js';

/** Mounts with mount(8) and unmounts with umount(8); a mount table read tells what is mounted. */
export class CommandRootfsMounter implements RootfsMounter {
  async mount(mounts: readonly MountSpec[], target: string): Promise<void> {
    if (mounts.length !== 1) throw invalidArgument(`expected exactly one mount for a root filesystem, got ${mounts.length}`);
    const [mount] = mounts;
    if (mount === undefined) return;
    await mkdir(target, { recursive: true });
    if (await this.isMounted(target)) return;
    const options = mount.options.join(',');
    const args = mount.type === 'bind' ? ['--bind', mount.source, target] : ['-t', mount.type, mount.source, target];
    if (options !== '' && mount.type !== 'bind') args.push('-o', options);
    await runCommand('mount', args);
  }

  async unmount(target: string): Promise<void> {
    // Lazy detach: a process still holding a file (a late `docker cp`) must not make rm fail.
    if (await this.isMounted(target)) await unmountLazily(target);
  }

  isMounted(target: string): Promise<boolean> {
    return isMountPoint(target);
  }
}
