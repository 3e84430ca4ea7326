import { access } from 'node:fs/promises';

/** Whether anything is at `path` (a dangling symlink counts as nothing). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
