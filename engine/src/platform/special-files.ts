import { runCommand } from './run-command.js';

/**
 * Filesystem objects Node cannot create itself (no mknod/setxattr in `fs`). Through the `mknod` and
 * `setfattr` binaries (coreutils, attr) so this stays the only place that runs programs for them.
 */
export interface SpecialFiles {
  /** An overlayfs whiteout: a character device 0/0. */
  makeWhiteout(path: string): Promise<void>;
  /** Marks a directory opaque for overlayfs (`trusted.overlay.opaque=y`). */
  makeOpaque(path: string): Promise<void>;
  makeFifo(path: string, mode: number): Promise<void>;
}

export const platformSpecialFiles: SpecialFiles = {
  async makeWhiteout(path) {
    await runCommand('mknod', ['-m', '000', path, 'c', '0', '0']);
  },
  async makeOpaque(path) {
    await runCommand('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path]);
  },
  async makeFifo(path, mode) {
    await runCommand('mknod', ['-m', (mode & 0o7777).toString(8).padStart(4, '0'), path, 'p']);
  },
};

/**
 * Marks `path` as the top of unrelated directory trees (`chattr +T`): ext4's Orlov allocator then
 * places each new subdirectory, and the files created in it, in a little-used block group instead
 * of next to its parent. On ext4 without a journal every inode allocation rescans the inodes of its
 * group deleted in the last minutes (`recently_deleted`), so a layer unpacked next to a just-removed
 * one pays up to a millisecond per file; spread out it pays microseconds. Best effort: false where the filesystem
 * (or a missing chattr) does not support the flag, which changes nothing but speed.
 */
export async function markTopDirectory(path: string): Promise<boolean> {
  const result = await runCommand('chattr', ['+T', path], { allowFailure: true }).catch(() => undefined);
  return result?.exitCode === 0;
}

/** Reads one extended attribute, or undefined when it is not set. */
export async function readXattr(path: string, name: string): Promise<string | undefined> {
  const result = await runCommand('getfattr', ['--only-values', '--absolute-names', '-n', name, path], { allowFailure: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}
