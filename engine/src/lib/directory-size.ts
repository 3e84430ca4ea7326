import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

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
