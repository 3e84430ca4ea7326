import type { Readable } from 'node:stream';
import type { DirectoryArchiver } from '../../core/snapshots/snapshotter.js';
import { packTreeEntries, walkTree, type TreeTarEntry } from './tree-tar.js';

/** `docker export`: every object of a (mounted) root filesystem, parents first, as a tar stream. */
export const treeArchiver: DirectoryArchiver = {
  pack(root: string, signal?: AbortSignal): Readable {
    const entries = async function* (): AsyncGenerator<TreeTarEntry, void, undefined> {
      for await (const { rel, path, stats } of walkTree(root)) yield { name: rel, source: path, stats };
    };
    return packTreeEntries(entries(), signal);
  },
};
