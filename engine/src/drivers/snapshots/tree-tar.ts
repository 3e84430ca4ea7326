import { createReadStream, type BigIntStats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream, { type Header, type Pack } from 'tar-stream';

type EntryHeader = Partial<Header> & { name: string };

/** One thing to put in a tar: a filesystem object at `source`, or a marker file (whiteouts) with no source. */
export type TreeTarEntry =
  { name: string; source: string; stats: BigIntStats } | { name: string; marker: true; stats?: BigIntStats };

/**
 * Writes entries to a tar stream as they are produced (files streamed from disk, hard links detected
 * by inode so their data is stored once). The returned stream errors if `entries` throws.
 */
export function packTreeEntries(entries: AsyncIterable<TreeTarEntry>, signal?: AbortSignal): Readable {
  const pack = tarStream.pack();
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const flowing = pipeline(pack as unknown as Readable, out, signal ? { signal } : {}).catch((error: unknown) => {
    out.destroy(error as Error);
  });
  void (async () => {
    const seen = new Map<string, string>();
    try {
      for await (const entry of entries) {
        signal?.throwIfAborted();
        await writeEntry(pack, entry, seen);
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
      out.destroy(error as Error);
    }
    await flowing;
  })();
  return out;
}

async function writeEntry(pack: Pack, entry: TreeTarEntry, seen: Map<string, string>): Promise<void> {
  if ('marker' in entry) {
    const stats = entry.stats;
    await addEntry(pack, {
      name: entry.name,
      type: 'file',
      size: 0,
      mode: 0o644,
      uid: stats ? Number(stats.uid) : 0,
      gid: stats ? Number(stats.gid) : 0,
      mtime: stats ? stats.mtime : new Date(0),
    });
    return;
  }
  const { stats, name, source } = entry;
  const base: EntryHeader = {
    name,
    mode: Number(stats.mode) & 0o7777,
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    mtime: stats.mtime,
  };
  if (stats.isDirectory()) {
    await addEntry(pack, { ...base, name: name.endsWith('/') ? name : `${name}/`, type: 'directory' });
  } else if (stats.isSymbolicLink()) {
    await addEntry(pack, { ...base, type: 'symlink', linkname: await readlink(source) });
  } else if (stats.isFile()) {
    const inode = `${stats.dev}:${stats.ino}`;
    const first = stats.nlink > 1n ? seen.get(inode) : undefined;
    if (first !== undefined) {
      await addEntry(pack, { ...base, type: 'link', linkname: first });
      return;
    }
    if (stats.nlink > 1n) seen.set(inode, name);
    await addFile(pack, { ...base, type: 'file', size: Number(stats.size) }, source);
  } else if (stats.isFIFO()) {
    await addEntry(pack, { ...base, type: 'fifo' });
  } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
    const rdev = stats.rdev;
    await addEntry(pack, {
      ...base,
      type: stats.isCharacterDevice() ? 'character-device' : 'block-device',
      devmajor: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
      devminor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
    });
  }
  // Sockets cannot be archived (tar has no type for them); dockerd skips them too.
}

/** Adds an entry without data (a 'file' gets an explicit empty body: tar-stream would wait for one). */
function addEntry(pack: Pack, header: EntryHeader): Promise<void> {
  return new Promise((resolve, reject) => {
    const callback = (error?: Error | null) => (error ? reject(error) : resolve());
    const sink =
      header.type === 'file' ? pack.entry(header as Header, Buffer.alloc(0), callback) : pack.entry(header as Header, callback);
    // Errors reach the callback; without a listener a destroyed pack would crash the process.
    sink.on('error', () => undefined);
  });
}

async function addFile(pack: Pack, header: EntryHeader, source: string): Promise<void> {
  let done!: (error?: Error | null) => void;
  const finished = new Promise<void>((resolve, reject) => {
    done = (error) => (error ? reject(error) : resolve());
  });
  // When the pipeline fails (the tar's reader went away: a full disk downstream), the entry's callback
  // fails too; unobserved, that rejection was unhandled and ended the engine. The pipeline's error is the one reported.
  finished.catch(() => undefined);
  const sink = pack.entry(header as Header, (error) => done(error));
  sink.on('error', () => undefined);
  await pipeline(createReadStream(source), sink as unknown as NodeJS.WritableStream);
  await finished;
}

/** Every object under `root`, parents before children, names sorted, as `rel` paths (no leading slash). */
export async function* walkTree(
  root: string,
  rel = '',
): AsyncGenerator<{ rel: string; path: string; stats: BigIntStats }, void, undefined> {
  const names = (await readdir(join(root, rel))).sort();
  for (const name of names) {
    const childRel = rel === '' ? name : `${rel}/${name}`;
    const path = join(root, childRel);
    const stats = await lstat(path, { bigint: true });
    yield { rel: childRel, path, stats };
    if (stats.isDirectory()) yield* walkTree(root, childRel);
  }
}
