import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { VolumeDriver } from '../../core/volumes/volume.js';
import { copyTreePreserving, treeSize } from '../../platform/copy-tree.js';

/** Docker's `local` driver: `<dataRoot>/volumes/<name>/_data`, a plain directory. */
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
    return treeSize(this.mountpoint(name));
  }
}
