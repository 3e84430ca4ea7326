import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';

/**
 * A mount description in the form mount(8) takes, returned by the snapshotter so that only
 * platform/ performs the mount.
 */
export interface MountSpec {
  type: string;
  source: string;
  options: string[];
}

/**
 * Layered filesystems, containerd style.
 *
 * Lifecycle: a committed snapshot holds one unpacked image layer and is keyed by its chain ID
 * (its parent is the chain ID below it). A container's writable layer is an *active* snapshot
 * prepared on top of the image's top chain ID; `mounts()` tells how to mount it; `remove()`
 * deletes it. Committed snapshots are removed only when no image and no active snapshot needs them.
 *
 * Example: image with diff IDs [d0, d1] → committed snapshots c0 = d0, c1 = sha256(c0 + " " + d1)
 * (parent c0). `prepare("container-<id>", c1)` → active snapshot whose mount has lowerdir c1:c0.
 */
export interface Snapshotter {
  /** True when a committed snapshot for this chain ID exists. */
  hasCommitted(chainId: Digest): Promise<boolean>;
  /**
   * Unpacks one layer (an uncompressed tar stream) as the committed snapshot `chainId` on top of
   * `parent`. Atomic: on any error nothing is left under that chain ID.
   */
  applyLayer(
    chainId: Digest,
    parent: Digest | undefined,
    layer: NodeJS.ReadableStream,
    signal?: AbortSignal,
  ): Promise<{ size: number }>;
  /** Creates a writable snapshot on top of `parent` (or empty when undefined) and returns its mounts. */
  prepare(key: string, parent: Digest | undefined): Promise<MountSpec[]>;
  /** The mounts of an existing active snapshot. */
  mounts(key: string): Promise<MountSpec[]>;
  /** Removes an active snapshot (container layer) or a committed one that nothing depends on. */
  remove(keyOrChainId: string): Promise<void>;
  /** Every snapshot, for garbage collection and disk usage. */
  list(): Promise<SnapshotInfo[]>;
  /** What an active snapshot changed relative to its parent chain (`docker diff`), sorted by path. */
  changes(key: string): Promise<FileChange[]>;
  /**
   * The changes of an active snapshot as an uncompressed OCI layer tar (deletions as `.wh.` files,
   * opaque directories as `.wh..wh..opq`), plus how many entries it holds once the stream ends.
   */
  diff(key: string, signal?: AbortSignal): Promise<{ tar: Readable; entries: () => number }>;
  /** A read-only mount of an active snapshot's merged filesystem (for export while it is not mounted). */
  viewMounts(key: string): Promise<MountSpec[]>;
}

/** One line of `docker diff`: Kind 0 = modified, 1 = added, 2 = deleted (Docker's numbering). */
export interface FileChange {
  /** Absolute path inside the container (`/etc/passwd`). */
  path: string;
  kind: 0 | 1 | 2;
}

/** Packs a directory tree (a mounted root filesystem) into an uncompressed tar stream. */
export interface DirectoryArchiver {
  pack(root: string, signal?: AbortSignal): Readable;
}

export interface SnapshotInfo {
  /** Chain ID (committed) or the caller's key (active). */
  key: string;
  kind: 'committed' | 'active';
  parent?: Digest;
  /** Unpacked bytes of a committed snapshot. */
  size?: number;
}
