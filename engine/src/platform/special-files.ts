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

/** Reads one extended attribute, or undefined when it is not set. */
export async function readXattr(path: string, name: string): Promise<string | undefined> {
  const result = await runCommand('getfattr', ['--only-values', '--absolute-names', '-n', name, path], { allowFailure: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}
