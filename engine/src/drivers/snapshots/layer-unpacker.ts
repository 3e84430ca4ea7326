import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  symlinkSync,
  utimesSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tarStream, { type Header } from 'tar-stream';
import { AppError } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import type { SpecialFiles } from '../../platform/special-files.js';
import { LayerPathResolver, PathEscapeError } from './layer-path-resolver.js';
import { writeFully } from '../../lib/write-fully.js';

export interface UnpackLayerOptions {
  /** Empty directory that receives this layer's own files (the snapshot's `fs`). */
  target: string;
  /** `fs` directories of the committed layers below, top first; symlinks in them are honoured, scoped to the root. */
  lowers: readonly string[];
  /** Names the layer in errors (its digest). */
  layerName: string;
  specialFiles: SpecialFiles;
  logger: Logger;
  /** Apply tar uid/gid (default: when running as root). */
  preserveOwnership?: boolean;
  signal?: AbortSignal;
}

const whiteoutPrefix = '.wh.';
/** Regular files up to this size are read whole and written with one synchronous call. */
const smallFileSize = 1 << 20;
/** Synchronous file-system work runs at most this long before the event loop gets a turn. */
const maxBusyMs = 10;
/** Read once: new files are created with their tar mode, which the umask may trim. */
const processUmask = process.umask();
const opaqueWhiteout = '.wh..wh..opq';
/** O_EXCL|O_NOFOLLOW: never write through something that appeared at this name. */
const createExclusive = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Unpacks one uncompressed layer tar into `target` as an overlayfs layer: OCI whiteouts become
 * 0/0 char devices, opaque markers become `trusted.overlay.opaque=y`. Refuses (AppError
 * invalid-argument naming layer and entry) anything that would read or write outside the snapshot.
 * Device nodes are skipped: a registry must not be able to hand containers host devices.
 */
export async function unpackLayer(input: NodeJS.ReadableStream, options: UnpackLayerOptions): Promise<{ size: number }> {
  const resolver = new LayerPathResolver(options.target, options.lowers);
  const preserveOwnership = options.preserveOwnership ?? process.getuid?.() === 0;
  // One entry per directory however often the layer declares it (the last declaration wins).
  const directoryTimes = new Map<string, Date>();
  let size = 0;

  const refuse = (entry: string, reason: string, cause?: unknown): AppError =>
    new AppError('invalid-argument', `layer ${options.layerName}: refusing tar entry "${entry}": ${reason}`, { cause });

  const entryError = (name: string, error: unknown): AppError => {
    if (error instanceof AppError) return error;
    if (error instanceof PathEscapeError) return refuse(name, error.message, error);
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC')
      return new AppError('unavailable', `layer ${options.layerName}: no space left on device`, { cause: error });
    return refuse(name, (error as Error).message, error);
  };

  // Metadata calls and small-file writes are synchronous: on a local filesystem each takes
  // microseconds, less than the thread-pool round trip (and the two context switches) of its
  // promise version, and a layer is mostly small files. Only large file bodies are written
  // asynchronously, chunk by chunk as they stream in. `yieldIfBusy` keeps the event loop serving
  // other requests during long runs of small entries.
  let busySince = performance.now();
  const yieldIfBusy = async (): Promise<void> => {
    if (performance.now() - busySince < maxBusyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    busySince = performance.now();
  };

  const handleEntry = async (header: Header, body: AsyncIterable<Buffer>): Promise<void> => {
    let failure: unknown;
    try {
      await applyEntry(header, body);
    } catch (error) {
      failure = entryError(header.name, error);
    }
    // The next entry arrives only once this one's data is consumed. When the entry already failed,
    // a drain error (the stream torn down meanwhile) must not hide why.
    try {
      for await (const _chunk of body) void _chunk;
    } catch (drainError) {
      failure ??= drainError;
    }
    if (failure !== undefined) throw failure;
  };

  const applyEntry = async (header: Header, body: AsyncIterable<Buffer>): Promise<void> => {
    const name = header.name;
    {
      const components = entryComponents(name, false);
      if (components.length === 0) {
        // The root entry ("./"): nothing to create; its metadata belongs to the container root, not ours to set.
        return;
      }
      const base = components[components.length - 1] as string;
      const parentComponents = components.slice(0, -1);

      if (base.startsWith(whiteoutPrefix)) {
        parentCache.clear();
        const parent = await resolveParent(parentComponents);
        if (base === opaqueWhiteout) {
          await options.specialFiles.makeOpaque(parent);
          return;
        }
        const hidden = base.slice(whiteoutPrefix.length);
        if (hidden === '' || hidden === '.' || hidden === '..' || hidden.startsWith(whiteoutPrefix)) {
          throw refuse(name, 'invalid whiteout entry');
        }
        const path = join(parent, hidden);
        await rm(path, { recursive: true, force: true });
        await options.specialFiles.makeWhiteout(path);
        return;
      }

      const parent = await resolveParent(parentComponents);
      const path = join(parent, base);
      const mode = (header.mode ?? 0o644) & 0o7777;
      const isFile = header.type === 'file' || header.type === 'contiguous-file';
      const fileSize = header.size ?? 0;

      // The common case: a small file at a free name, created without looking first.
      let smallFile: Buffer | undefined;
      if (isFile && fileSize <= smallFileSize) {
        smallFile = await readWhole(body);
        if (createSmallFile(path, smallFile, header, mode, preserveOwnership)) {
          size += fileSize;
          return;
        }
      }

      const existing = lstatOrUndefined(path);
      // Replacing a directory or a symlink (or making one) changes how later paths resolve.
      if (
        header.type === 'symlink' ||
        existing?.isSymbolicLink() === true ||
        (existing !== undefined && existing.isDirectory() !== (header.type === 'directory'))
      ) {
        parentCache.clear();
      }

      switch (header.type) {
        case 'directory':
          if (existing && !existing.isDirectory()) await rm(path, { force: true });
          if (!existing || !existing.isDirectory()) mkdirSync(path, { mode: 0o700 });
          break;
        case 'file':
        case 'contiguous-file': {
          await removeExisting(path, existing);
          if (smallFile !== undefined) {
            if (!createSmallFile(path, smallFile, header, mode, preserveOwnership))
              throw refuse(name, 'path appeared while unpacking');
          } else {
            await writeLargeFile(path, body, header, mode, preserveOwnership);
          }
          size += fileSize;
          return;
        }
        case 'symlink':
          await removeExisting(path, existing);
          symlinkSync(header.linkname ?? '', path);
          // A symlink's size is its target's length, which dockerd's layer size counts too.
          size += Buffer.byteLength(header.linkname ?? '');
          break;
        case 'link': {
          const targetPath = await resolveHardlinkTarget(name, header.linkname ?? '');
          if (targetPath === path) return;
          await removeExisting(path, existing);
          linkSync(targetPath, path);
          // A hard link shares the target's inode: its metadata is the target's.
          return;
        }
        case 'fifo':
          await removeExisting(path, existing);
          await options.specialFiles.makeFifo(path, mode);
          break;
        case 'character-device':
        case 'block-device':
          options.logger.warn({ layer: options.layerName, entry: name }, 'skipping device node in image layer');
          return;
        default:
          // pax/gnu metadata records are consumed by tar-stream; anything else carries no file.
          return;
      }

      if (preserveOwnership) lchownSync(path, header.uid ?? 0, header.gid ?? 0);
      const mtime = header.mtime ?? new Date(0);
      if (header.type === 'symlink') {
        lutimesSync(path, mtime, mtime);
      } else {
        // After chown: chown clears setuid/setgid bits.
        chmodSync(path, mode);
        if (header.type === 'directory') directoryTimes.set(path, mtime);
        else utimesSync(path, mtime, mtime);
      }
    }
  };

  // Resolved parent directories: layers list many files per directory, and resolving walks every
  // layer below. Cleared whenever an entry could change what a path resolves to.
  const parentCache = new Map<string, string>();
  const resolveParent = async (components: string[]): Promise<string> => {
    const key = components.join('/');
    const cached = parentCache.get(key);
    if (cached !== undefined) return cached;
    const resolved = await resolver.resolveDirectory(components, true);
    const parent = join(options.target, ...(resolved ?? []));
    parentCache.set(key, parent);
    return parent;
  };

  const resolveHardlinkTarget = async (name: string, linkname: string): Promise<string> => {
    // Absolute hard link names are archive-root-relative (kaniko writes them); `..` is never allowed.
    let components: string[];
    try {
      components = entryComponents(linkname, true);
    } catch (error) {
      throw refuse(name, `invalid hardlink target "${linkname}": ${(error as Error).message}`);
    }
    if (components.length === 0) throw refuse(name, `invalid hardlink target "${linkname}"`);
    const parent = await resolver.resolveDirectory(components.slice(0, -1), false);
    const targetPath =
      parent === undefined ? undefined : join(options.target, ...parent, components[components.length - 1] as string);
    const stats = targetPath === undefined ? undefined : lstatOrUndefined(targetPath);
    if (targetPath === undefined || stats === undefined) {
      throw refuse(name, `hardlink target "${linkname}" is not an earlier entry of this layer`);
    }
    if (stats.isDirectory()) throw refuse(name, `hardlink target "${linkname}" is a directory`);
    return targetPath;
  };

  const extract = tarStream.extract();
  // tar-stream streams are streamx streams; node's pipeline drives them fine.
  const feeding = pipeline(
    input as Readable,
    extract as unknown as NodeJS.WritableStream,
    options.signal ? { signal: options.signal } : {},
  );
  // Awaited only after the entry loop: mark it handled now so an early failure is not an unhandled rejection.
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      options.signal?.throwIfAborted();
      await handleEntry(entry.header, entry as AsyncIterable<Buffer>);
      await yieldIfBusy();
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    await feeding.catch(() => undefined);
    if (options.signal?.aborted) throw new AppError('canceled', 'layer extraction canceled', { cause: error });
    if (error instanceof AppError) throw error;
    throw new AppError('invalid-argument', `layer ${options.layerName}: ${(error as Error).message}`, { cause: error });
  }
  // Directory mtimes last: creating their children changed them (setting one never touches another).
  for (const [path, mtime] of directoryTimes) {
    try {
      utimesSync(path, mtime, mtime);
    } catch (error) {
      // A later whiteout may have removed the directory.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return { size };
}

/**
 * Splits a tar name into components, dropping `.` and empty parts. Absolute names are refused unless
 * `allowAbsolute` (then they are root-relative); any `..` component is refused outright, since its
 * meaning depends on symlinks that a lexical check cannot see.
 */
export function entryComponents(name: string, allowAbsolute: boolean): string[] {
  if (name.includes('\0')) throw new PathEscapeError('name contains NUL');
  if (name.startsWith('/') && !allowAbsolute) throw new PathEscapeError('absolute path');
  const components = name.split('/').filter((part) => part !== '' && part !== '.');
  if (components.includes('..')) throw new PathEscapeError('path contains ".."');
  return components;
}

/** A small entry body, whole. */
async function readWhole(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** Creates `path` with `data` and the entry's metadata; false (touching nothing) when the name is taken. */
function createSmallFile(path: string, data: Buffer, header: Header, mode: number, preserveOwnership: boolean): boolean {
  let fd: number;
  try {
    fd = openSync(path, createExclusive, mode & 0o777);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    for (let written = 0; written < data.length;) written += writeSync(fd, data, written);
    setFileMetadata(fd, header, mode, preserveOwnership);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Streams a large entry body into a new file. */
async function writeLargeFile(
  path: string,
  body: AsyncIterable<Buffer>,
  header: Header,
  mode: number,
  preserveOwnership: boolean,
): Promise<void> {
  const handle = await open(path, createExclusive, mode & 0o777);
  try {
    for await (const chunk of body) await writeFully(handle, chunk);
    setFileMetadata(handle.fd, header, mode, preserveOwnership);
  } finally {
    await handle.close();
  }
}

/** Owner, mode and mtime of a new regular file (open as `fd`), in the order that keeps setuid/setgid bits. */
function setFileMetadata(fd: number, header: Header, mode: number, preserveOwnership: boolean): void {
  // The common case (root-owned, plain mode) needs one metadata call, not three.
  const uid = header.uid ?? 0;
  const gid = header.gid ?? 0;
  const owned = preserveOwnership && (uid !== 0 || gid !== 0);
  if (owned) fchownSync(fd, uid, gid);
  // After chown (it clears setuid/setgid); needed too when the umask trimmed the mode.
  if (owned || (mode & 0o7000) !== 0 || (mode & processUmask) !== 0) fchmodSync(fd, mode);
  const mtime = header.mtime ?? new Date(0);
  futimesSync(fd, mtime, mtime);
}

function lstatOrUndefined(path: string): Stats | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}

/** Replaces whatever is at `path` (file, link, device, or a whole directory) so a new entry can take its name. */
async function removeExisting(path: string, existing: Stats | undefined): Promise<void> {
  if (existing) await rm(path, { recursive: existing.isDirectory(), force: true });
}
