import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@berth/common';

const maxSymlinks = 40;

/**
 * Resolves `path` as a process chrooted at `root` would: `..` stops at the root and every symlink
 * (absolute or relative) is followed inside the root, so the result never leaves it. Components
 * that do not exist are appended as they are. With `followFinal: false` a final symlink is kept
 * (`docker cp` copies links as links). The result is a host path under `root`.
 */
export async function resolveInRoot(root: string, path: string, options: { followFinal?: boolean } = {}): Promise<string> {
  const followFinal = options.followFinal ?? true;
  const resolved: string[] = [];
  const pending = path.split('/');
  let links = 0;
  let missing = false;
  while (pending.length > 0) {
    const component = pending.shift() ?? '';
    if (component === '' || component === '.') continue;
    if (component === '..') {
      resolved.pop();
      continue;
    }
    if (missing) {
      resolved.push(component);
      continue;
    }
    const candidate = join(root, ...resolved, component);
    const isLast = pending.every((rest) => rest === '' || rest === '.');
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
      missing = true;
    }
    if (isLink && (!isLast || followFinal)) {
      if (++links > maxSymlinks) throw new AppError('invalid-argument', `too many levels of symbolic links: ${path}`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/'));
      continue;
    }
    resolved.push(component);
  }
  return join(root, ...resolved);
}

/** True when `path` is `root` or below it (lexically). */
export function isWithin(root: string, path: string): boolean {
  const base = root.endsWith('/') ? root : `${root}/`;
  return path === root || path.startsWith(base);
}
