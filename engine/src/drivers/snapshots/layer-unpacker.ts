import { constants, type Stats } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, open, rm, symlink, utimes, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tarStream, { type Header } from 'tar-stream';
import { AppError } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import type { SpecialFiles } from '../../platform/special-files.js';
import { LayerPathResolver, PathEscapeError } from './layer-path-resolver.js';

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
const opaqueWhiteout = '.wh..wh..opq';

/**
 * Unpacks one uncompressed layer tar into `target` as an overlayfs layer: OCI whiteouts become
 * 0/0 char devices, opaque markers become `trusted.overlay.opaque=y`. Refuses (AppError
 * invalid-argument naming layer and entry) anything that would read or write outside the snapshot.
 * Device nodes are skipped: a registry must not be able to hand containers host devices.
 */
export async function unpackLayer(input: NodeJS.ReadableStream, options: UnpackLayerOptions): Promise<{ size: number }> {
  const resolver = new LayerPathResolver(options.target, options.lowers);
  const preserveOwnership = options.preserveOwnership ?? process.getuid?.() === 0;
  const directoryTimes: { path: string; mtime: Date }[] = [];
  let size = 0;

  const refuse = (entry: string, reason: string, cause?: unknown): AppError =>
    new AppError('invalid-argument', `layer ${options.layerName}: refusing tar entry "${entry}": ${reason}`, { cause });

  const handleEntry = async (header: Header, body: AsyncIterable<Buffer>): Promise<void> => {
    const name = header.name;
    try {
      const components = entryComponents(name, false);
      if (components.length === 0) {
        // The root entry ("./"): nothing to create; its metadata belongs to the container root, not ours to set.
        return;
      }
      const base = components[components.length - 1] as string;
      const parentComponents = components.slice(0, -1);

      if (base.startsWith(whiteoutPrefix)) {
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
      const existing = await lstatOrUndefined(path);
      const mode = (header.mode ?? 0o644) & 0o7777;

      switch (header.type) {
        case 'directory':
          if (existing && !existing.isDirectory()) await rm(path, { force: true });
          if (!existing || !existing.isDirectory()) await mkdir(path, { mode: 0o700 });
          break;
        case 'file':
        case 'contiguous-file': {
          await removeExisting(path, existing);
          // O_EXCL|O_NOFOLLOW: never write through something that appeared at this name.
          const handle = await open(
            path,
            constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
            0o600,
          );
          try {
            for await (const chunk of body) await handle.write(chunk);
          } finally {
            await handle.close();
          }
          size += header.size ?? 0;
          break;
        }
        case 'symlink':
          await removeExisting(path, existing);
          await symlink(header.linkname ?? '', path);
          break;
        case 'link': {
          const targetPath = await resolveHardlinkTarget(name, header.linkname ?? '');
          if (targetPath === path) return;
          await removeExisting(path, existing);
          await link(targetPath, path);
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

      if (preserveOwnership) await lchown(path, header.uid ?? 0, header.gid ?? 0);
      const mtime = header.mtime ?? new Date(0);
      if (header.type === 'symlink') {
        await lutimes(path, mtime, mtime);
      } else {
        // After chown: chown clears setuid/setgid bits.
        await chmod(path, mode);
        if (header.type === 'directory') directoryTimes.push({ path, mtime });
        else await utimes(path, mtime, mtime);
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof PathEscapeError) throw refuse(name, error.message, error);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC')
        throw new AppError('unavailable', `layer ${options.layerName}: no space left on device`, { cause: error });
      throw refuse(name, (error as Error).message, error);
    } finally {
      // The next entry arrives only once this one's data is consumed.
      for await (const _chunk of body) void _chunk;
    }
  };

  const resolveParent = async (components: string[]): Promise<string> => {
    const resolved = await resolver.resolveDirectory(components, true);
    return join(options.target, ...(resolved ?? []));
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
    const stats = targetPath === undefined ? undefined : await lstatOrUndefined(targetPath);
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
  try {
    for await (const entry of extract) {
      options.signal?.throwIfAborted();
      await handleEntry(entry.header, entry as AsyncIterable<Buffer>);
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    await feeding.catch(() => undefined);
    if (options.signal?.aborted) throw new AppError('canceled', 'layer extraction canceled', { cause: error });
    if (error instanceof AppError) throw error;
    throw new AppError('invalid-argument', `layer ${options.layerName}: ${(error as Error).message}`, { cause: error });
  }
  // Directory mtimes last and deepest first: creating their children changed them.
  for (const { path, mtime } of directoryTimes.reverse()) await utimes(path, mtime, mtime);
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

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Replaces whatever is at `path` (file, link, device, or a whole directory) so a new entry can take its name. */
async function removeExisting(path: string, existing: Stats | undefined): Promise<void> {
  if (existing) await rm(path, { recursive: existing.isDirectory(), force: true });
}
