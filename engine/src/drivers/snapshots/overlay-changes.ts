import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileChange } from '../../core/snapshots/snapshotter.js';
import { walkTree, type TreeTarEntry } from './tree-tar.js';

/** One object of an overlay upper directory, classified against the layers below. */
export interface UpperChange {
  /** Path relative to the root, no leading slash. */
  rel: string;
  path: string;
  stats: BigIntStats;
  /** A 0/0 character device: the object was deleted. */
  whiteout: boolean;
  /** A directory marked `trusted.overlay.opaque=y`: everything below it in the lowers is hidden. */
  opaque: boolean;
  /** The object existed in a lower layer (so it was modified, not added). */
  inLower: boolean;
}

/**
 * Mount points the engine creates in every container's writable layer (dockerd keeps them in a
 * separate init layer): they are not the user's changes.
 */
const engineMountPoints = new Set(['.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'dev', 'proc', 'sys']);
const engineMountTrees = ['dev/', 'proc/', 'sys/'];

function isEngineMountPoint(rel: string): boolean {
  return engineMountPoints.has(rel) || engineMountTrees.some((prefix) => rel.startsWith(prefix));
}

/**
 * Reads an upper directory as the user's changes, dockerd's overlay2 style: whiteouts are deletions,
 * objects also present below are modifications, the rest additions. A directory that exists below
 * with the same owner and mode is reported only when something inside it changed (copy-up of a
 * parent alone is not a change).
 */
export async function readUpperChanges(
  upper: string,
  lowers: readonly string[],
  isOpaque: (directory: string) => Promise<boolean>,
): Promise<UpperChange[]> {
  const all: { change: UpperChange; copyUp: boolean }[] = [];
  for await (const { rel, path, stats } of walkTree(upper)) {
    if (isEngineMountPoint(rel)) continue;
    const whiteout = stats.isCharacterDevice() && stats.rdev === 0n;
    const below = await lowerStats(lowers, rel);
    const opaque = stats.isDirectory() ? await isOpaque(path) : false;
    const copyUp =
      stats.isDirectory() &&
      !opaque &&
      below?.isDirectory() === true &&
      below.mode === stats.mode &&
      below.uid === stats.uid &&
      below.gid === stats.gid;
    all.push({ change: { rel, path, stats, whiteout, opaque, inLower: below !== undefined }, copyUp });
  }
  // A copied-up directory is kept only when something below it is reported.
  const changedDirs = new Set<string>();
  for (const { change, copyUp } of all) {
    if (copyUp) continue;
    for (let slash = change.rel.lastIndexOf('/'); slash > 0; slash = change.rel.lastIndexOf('/', slash - 1)) {
      changedDirs.add(change.rel.slice(0, slash));
    }
  }
  return all.filter(({ change, copyUp }) => !copyUp || changedDirs.has(change.rel)).map(({ change }) => change);
}

/** `docker diff` lines from upper changes. */
export function toFileChanges(changes: readonly UpperChange[]): FileChange[] {
  return changes
    .map((change): FileChange => ({ path: `/${change.rel}`, kind: change.whiteout ? 2 : change.inLower ? 0 : 1 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Tar entries of an OCI layer from upper changes: whiteouts as `.wh.<name>`, opaque markers after their directory. */
export async function* toLayerEntries(changes: readonly UpperChange[]): AsyncGenerator<TreeTarEntry, void, undefined> {
  for (const change of changes) {
    if (change.whiteout) {
      const slash = change.rel.lastIndexOf('/');
      yield { name: `${change.rel.slice(0, slash + 1)}.wh.${change.rel.slice(slash + 1)}`, marker: true, stats: change.stats };
      continue;
    }
    yield { name: change.rel, source: change.path, stats: change.stats };
    if (change.opaque) yield { name: `${change.rel}/.wh..wh..opq`, marker: true, stats: change.stats };
  }
}

/** The object at `rel` in the highest lower layer that has it (undefined when absent or whited out). */
async function lowerStats(lowers: readonly string[], rel: string): Promise<BigIntStats | undefined> {
  for (const lower of lowers) {
    try {
      const stats = await lstat(join(lower, rel), { bigint: true });
      if (stats.isCharacterDevice() && stats.rdev === 0n) return undefined;
      return stats;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
  }
  return undefined;
}
