import { lstat, mkdir, readlink, lchown } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';

/** Thrown for a path that would leave the snapshot; the unpacker adds the layer and entry names. */
export class PathEscapeError extends Error {}

const maxSymlinkHops = 255;

/**
 * Resolves entry paths the way the kernel would inside the container's root filesystem, but without
 * ever leaving it: symlinks are followed through the union of this layer (`upper`) and the committed
 * layers below it (`lowers`, top first), absolute symlink targets restart at the snapshot root (so
 * `lib -> /usr/lib` works), and a relative `..` that climbs above the root is refused.
 *
 * Every directory of a resolved parent path is made to exist as a real directory in `upper`, so the
 * caller's later fs calls on `upper/<resolved>` never traverse a symlink. Lower layers are only read,
 * and only through paths known to be real directories in that layer.
 *
 * Safe without openat-style primitives because nothing else writes into `upper` while a layer is
 * unpacked (it is a private temp directory) and committed lower layers are immutable.
 */
export class LayerPathResolver {
  private readonly stack: string[];

  constructor(upper: string, lowers: readonly string[]) {
    this.stack = [upper, ...lowers];
  }

  get upper(): string {
    return this.stack[0] as string;
  }

  /**
   * Resolves a directory path (components already validated: no `..`, no empty parts), creating the
   * missing directories in upper when `create`. Returns the real components, or undefined when a
   * component is missing and `create` is false.
   */
  async resolveDirectory(components: readonly string[], create: boolean): Promise<string[] | undefined> {
    let resolved: string[] = [];
    // visible[i]: layer i holds the current resolved path as a real directory (so lookups in it are safe and meaningful).
    let visible = this.stack.map(() => true);
    const queue = [...components];
    let hops = 0;
    while (queue.length > 0) {
      const component = queue.shift() as string;
      if (component === '' || component === '.') continue;
      if (component === '..') {
        if (resolved.length === 0) throw new PathEscapeError('symlink resolution climbs above the snapshot root');
        resolved.pop();
        visible = await this.visibility(resolved);
        continue;
      }
      const candidate = [...resolved, component];
      const found = await this.lookup(candidate, visible);
      if (found === undefined) {
        if (!create) return undefined;
        await mkdir(join(this.upper, ...candidate), { mode: 0o755 });
        resolved = candidate;
        visible = this.stack.map((_, i) => i === 0);
        continue;
      }
      if (found.stats.isSymbolicLink()) {
        if (++hops > maxSymlinkHops) throw new PathEscapeError('too many levels of symbolic links');
        const target = await readlink(found.path);
        if (target.startsWith('/')) {
          resolved = [];
          visible = this.stack.map(() => true);
        }
        queue.unshift(...target.split('/'));
        continue;
      }
      if (!found.stats.isDirectory()) throw new PathEscapeError(`"${candidate.join('/')}" is not a directory`);
      if (found.layer !== 0 && create) {
        // Copy the lower directory's identity so the merged view keeps its mode and owner.
        const upperPath = join(this.upper, ...candidate);
        await mkdir(upperPath, { mode: found.stats.mode & 0o7777 });
        await lchown(upperPath, found.stats.uid, found.stats.gid).catch(() => undefined);
      }
      resolved = candidate;
      visible = found.visibleBelow;
    }
    return resolved;
  }

  /** Layer-visibility vector for an already-resolved real directory path. */
  private async visibility(resolved: readonly string[]): Promise<boolean[]> {
    let visible = this.stack.map(() => true);
    for (let depth = 1; depth <= resolved.length; depth++) {
      const found = await this.lookup(resolved.slice(0, depth), visible);
      visible = found?.visibleBelow ?? this.stack.map((_, i) => i === 0);
    }
    return visible;
  }

  /**
   * The topmost layer entry at `path`, honouring whiteouts (a char device 0/0 hides lower layers) and
   * non-directories hiding lower directories. Returns where the entry lives and, for a directory,
   * which layers hold it as a real directory.
   */
  private async lookup(
    path: readonly string[],
    visible: readonly boolean[],
  ): Promise<{ layer: number; path: string; stats: Stats; visibleBelow: boolean[] } | undefined> {
    let found: { layer: number; path: string; stats: Stats } | undefined;
    const visibleBelow = this.stack.map(() => false);
    for (let i = 0; i < this.stack.length; i++) {
      if (!visible[i]) continue;
      const full = join(this.stack[i] as string, ...path);
      let stats: Stats;
      try {
        stats = await lstat(full);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw error;
      }
      if (isWhiteout(stats)) break;
      if (found === undefined) found = { layer: i, path: full, stats };
      if (!stats.isDirectory()) break;
      if (!found.stats.isDirectory()) break;
      visibleBelow[i] = true;
    }
    return found ? { ...found, visibleBelow } : undefined;
  }
}

export function isWhiteout(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}
