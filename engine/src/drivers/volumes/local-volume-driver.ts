import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { internal } from '@berth/common';
import type { VolumeDriver } from '../../core/volumes/volume.js';
import { directorySize } from '../../lib/directory-size.js';
import { copyTreePreserving } from '../../platform/copy-tree.js';
import { isMountPoint } from '../../lib/mount-table.js';
import { mountFilesystem, unmountLazily } from '../../platform/mount-points.js';

/**
 * Docker's `local` driver: `<dataRoot>/volumes/<name>/_data`, a plain directory, or with options
 * (`type`, `device`, `o`) a filesystem mounted there while containers use it (tmpfs, a bind, ...).
 */
export class LocalVolumeDriver implements VolumeDriver {
  constructor(private readonly volumesDir: string) {}

  mountpoint(name: string): string {
    return join(this.volumesDir, name, '_data');
  }

  async create(name: string): Promise<string> {
    await mkdir(join(this.volumesDir, name), { recursive: true, mode: 0o701 });
    await mkdir(this.mountpoint(name), { recursive: true, mode: 0o755 });
    return this.mountpoint(name);
  }

  async remove(name: string): Promise<void> {
    await this.unmount(name);
    // Never delete through a mount (a bind of a host directory would lose the host's files).
    if (await isMountPoint(this.mountpoint(name))) throw internal(`volume ${name} is still mounted; not removing it`);
    await rm(join(this.volumesDir, name), { recursive: true, force: true });
  }

  async isEmpty(name: string): Promise<boolean> {
    try {
      return (await readdir(this.mountpoint(name))).length === 0;
    } catch {
      return true;
    }
  }

  async seed(name: string, source: string): Promise<void> {
    await copyTreePreserving(source, this.mountpoint(name));
  }

  size(name: string): Promise<number> {
    return directorySize(this.mountpoint(name));
  }

  async mount(name: string, options: Record<string, string>): Promise<void> {
    const target = this.mountpoint(name);
    if (await isMountPoint(target)) return;
    await mountFilesystem(options['type'] ?? 'none', options['device'] ?? 'none', options['o'] ?? '', target);
  }

  async unmount(name: string): Promise<void> {
    if (await isMountPoint(this.mountpoint(name))) await unmountLazily(this.mountpoint(name));
  }
}
