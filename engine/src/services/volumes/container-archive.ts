import { constants, type Stats } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  open,
  opendir,
  readlink,
  rm,
  symlink,
  utimes,
  lchown,
  type FileHandle,
} from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream, { type Header as TarHeader, type Pack } from 'tar-stream';
import { AppError, invalidArgument, notFound } from '@berth/common';

type Headers = Partial<TarHeader> & { name: string };
import type { Container } from '../../core/containers/container.js';
import type { RootfsMounter } from '../../core/containers/rootfs-mounter.js';
import type { Snapshotter } from '../../core/snapshots/snapshotter.js';
import { isWithin, resolveInRoot } from './scoped-path.js';
import { writeFully } from '../../lib/write-fully.js';

/** `X-Docker-Container-Path-Stat`: what `docker cp` learns about a path before copying. */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits (directory = 1<<31, symlink = 1<<27, ...). */
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface ContainerArchiveOptions {
  find: (reference: string) => Container;
  snapshotter: Snapshotter;
  mounter: RootfsMounter;
  /** `<dataRoot>/containers`: the rootfs of container X is mounted at `X/rootfs`. */
  containersDir: string;
}

/** Where a container path lives on the host: a root to stay in and the path below it. */
interface Location {
  root: string;
  inner: string;
}

/**
 * `docker cp`: stat, read (tar) and write (untar) paths of a container, running or stopped. Every
 * path is resolved inside the container's root (or the volume/bind mounted there) with symlinks
 * scoped to it, and every file is opened without following a final link and checked, through its
 * descriptor, to really lie inside that root, so a link swapped in meanwhile cannot escape.
 */
export class ContainerArchive {
  constructor(private readonly options: ContainerArchiveOptions) {}

  async stat(reference: string, path: string): Promise<PathStat> {
    const { host, containerPath } = await this.locate(reference, path);
    const stats = await lstatOrNotFound(host, containerPath, reference);
    return {
      name: archiveBase(path),
      size: stats.size,
      mode: goFileMode(stats),
      mtime: stats.mtime.toISOString().replace(/\.\d+Z$/, 'Z'),
      linkTarget: stats.isSymbolicLink() ? await readlink(host) : '',
    };
  }

  /** A tar of the path (its top entry named after the path's base) and the path's stat. */
  async read(reference: string, path: string, signal?: AbortSignal): Promise<{ stat: PathStat; tar: Readable }> {
    const stat = await this.stat(reference, path);
    const { host, location } = await this.locate(reference, path);
    const pack = tarStream.pack();
    void this.packTree(pack, location.root, host, stat.name, signal)
      .then(() => pack.finalize())
      .catch((error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))));
    return { stat, tar: pack as unknown as Readable };
  }

  /** Extracts a tar into the directory `path`. */
  async write(
    reference: string,
    path: string,
    body: Readable,
    options: { noOverwriteDirNonDir: boolean; copyUidGid: boolean },
    signal?: AbortSignal,
  ): Promise<void> {
    const { host, location, containerPath } = await this.locate(reference, path);
    const stats = await lstatOrNotFound(host, containerPath, reference);
    if (!stats.isDirectory()) throw invalidArgument('extraction point is not a directory');
    const extract = tarStream.extract();
    // tar-stream streams are streamx streams: fed through pipeline, read with async iteration.
    const feeding = pipeline(body, extract as unknown as NodeJS.WritableStream, ...(signal !== undefined ? [{ signal }] : []));
    try {
      for await (const entry of extract)
        await this.extractEntry(location.root, host, entry.header, entry as unknown as AsyncIterable<Buffer>, options);
    } catch (error) {
      extract.destroy();
      await feeding.catch(() => undefined);
      throw error;
    }
    await feeding;
  }

  private async locate(reference: string, path: string): Promise<{ host: string; location: Location; containerPath: string }> {
    if (path === '') throw invalidArgument('no path specified');
    const container = this.options.find(reference);
    const containerPath = posix.normalize(path.startsWith('/') ? path : `/${path}`);
    const location = await this.rootFor(container, containerPath);
    const trailing = path.endsWith('/.') ? '/.' : '';
    const host = await resolveInRoot(location.root, location.inner, { followFinal: trailing !== '' || path.endsWith('/') });
    if (!isWithin(location.root, host)) throw new AppError('forbidden', `path ${path} escapes the container's root`);
    return { host, location, containerPath };
  }

  /** The container's rootfs (mounted if it is not), or the volume/bind mounted over the path. */
  private async rootFor(container: Container, containerPath: string): Promise<Location> {
    let best: { destination: string; source: string } | undefined;
    for (const point of container.mountPoints ?? []) {
      const destination = String(point['Destination'] ?? '');
      const source = String(point['Source'] ?? '');
      if (source === '' || destination === '') continue;
      if (
        (containerPath === destination || containerPath.startsWith(`${destination}/`)) &&
        destination.length > (best?.destination.length ?? 0)
      )
        best = { destination, source };
    }
    if (best !== undefined) return { root: best.source, inner: containerPath.slice(best.destination.length) || '/' };
    const rootfs = join(this.options.containersDir, container.id, 'rootfs');
    if (!(await this.options.mounter.isMounted(rootfs))) {
      // Left mounted: start skips a mounted rootfs, and remove unmounts it.
      await this.options.mounter.mount(await this.options.snapshotter.mounts(container.snapshotKey), rootfs);
    }
    return { root: rootfs, inner: containerPath };
  }

  private async packTree(pack: Pack, root: string, host: string, name: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw new AppError('canceled', 'copy canceled');
    const stats = await lstat(host);
    const header: Headers = {
      name: stats.isDirectory() ? `${name}/` : name,
      mode: stats.mode & 0o7777,
      uid: stats.uid,
      gid: stats.gid,
      mtime: stats.mtime,
    };
    if (stats.isDirectory()) {
      await addEntry(pack, { ...header, type: 'directory' });
      const directory = await opendir(host);
      const names: string[] = [];
      for await (const entry of directory) names.push(entry.name);
      for (const child of names.sort()) await this.packTree(pack, root, join(host, child), `${name}/${child}`, signal);
    } else if (stats.isSymbolicLink()) {
      await addEntry(pack, { ...header, type: 'symlink', linkname: await readlink(host) });
    } else if (stats.isFile()) {
      const handle = await openInside(root, host, constants.O_RDONLY);
      try {
        const size = (await handle.stat()).size;
        const entry = pack.entry({ ...header, type: 'file', size });
        if (size === 0)
          await new Promise<void>((resolve, reject) => entry.end((error?: Error | null) => (error ? reject(error) : resolve())));
        // At most `size` bytes: a file growing meanwhile must not overrun its tar entry.
        else await pipeline(handle.createReadStream({ autoClose: false, start: 0, end: size - 1 }), entry);
      } finally {
        await handle.close();
      }
    } else if (stats.isFIFO()) {
      await addEntry(pack, { ...header, type: 'fifo' });
    } else if (stats.isCharacterDevice() || stats.isBlockDevice()) {
      await addEntry(pack, {
        ...header,
        type: stats.isCharacterDevice() ? 'character-device' : 'block-device',
        devmajor: Math.floor(stats.rdev / 256),
        devminor: stats.rdev % 256,
      });
    }
    // Sockets are not archived (tar has no type for them), as with dockerd.
  }

  private async extractEntry(
    root: string,
    target: string,
    header: Headers,
    stream: AsyncIterable<Buffer>,
    options: { noOverwriteDirNonDir: boolean; copyUidGid: boolean },
  ): Promise<void> {
    const relative = posix.normalize(`/${header.name}`).slice(1).replace(/\/$/, '');
    if (relative === '' || relative === '.') {
      await drain(stream);
      return;
    }
    // The parent is resolved inside the root (links in the container are followed there), then created.
    const parent = await resolveInRoot(root, join(target.slice(root.length), dirname(relative)));
    if (!isWithin(root, parent)) throw new AppError('forbidden', `${header.name} escapes the extraction root`);
    await mkdir(parent, { recursive: true });
    const parentHandle = await openInside(root, parent, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      // Operations go through the pinned parent directory: a swapped ancestor cannot redirect them.
      const path = `/proc/self/fd/${parentHandle.fd}/${basename(relative)}`;
      const existing = await lstat(path).catch(() => undefined);
      const isDirectory = header.type === 'directory';
      if (existing !== undefined && options.noOverwriteDirNonDir) {
        if (existing.isDirectory() && !isDirectory)
          throw invalidArgument(
            `cannot overwrite directory "${join(parent, basename(relative)).slice(root.length)}" with non-directory "${header.name}"`,
          );
        if (!existing.isDirectory() && isDirectory)
          throw invalidArgument(
            `cannot overwrite non-directory "${join(parent, basename(relative)).slice(root.length)}" with directory "${header.name}"`,
          );
      }
      if (existing !== undefined && !(existing.isDirectory() && isDirectory)) await rm(path, { recursive: true, force: true });
      const mode = (header.mode ?? (isDirectory ? 0o755 : 0o644)) & 0o7777;
      switch (header.type) {
        case 'directory':
          if (existing === undefined || !existing.isDirectory()) await mkdir(path, { mode });
          break;
        case 'symlink':
          await symlink(header.linkname ?? '', path);
          break;
        case 'file':
        case 'contiguous-file':
        case undefined: {
          const file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
          try {
            for await (const chunk of stream) await writeFully(file, chunk as Buffer);
            await file.chmod(mode);
          } finally {
            await file.close();
          }
          break;
        }
        case 'link': {
          // Hard links: copied as the file they point to would need a second pass; refuse clearly.
          throw invalidArgument(`hard links are not supported by docker cp here: ${header.name}`);
        }
        default:
          await drain(stream);
          return;
      }
      await drain(stream);
      const uid = options.copyUidGid ? (header.uid ?? 0) : 0;
      const gid = options.copyUidGid ? (header.gid ?? 0) : 0;
      if (header.type === 'symlink') await lchown(path, uid, gid);
      else {
        await chown(path, uid, gid);
        if (header.mtime !== undefined) await utimes(path, header.mtime, header.mtime);
        if (header.type === 'directory') await chmod(path, mode);
      }
    } finally {
      await parentHandle.close();
    }
  }
}

/** Opens a file without following a final link and checks through the descriptor that it is inside `root`. */
async function openInside(root: string, path: string, flags: number): Promise<FileHandle> {
  const handle = await open(path, flags | constants.O_NOFOLLOW);
  const real = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => '');
  if (!isWithin(root, real)) {
    await handle.close();
    throw new AppError('forbidden', `${path} is not inside the container's root`);
  }
  return handle;
}

async function drain(stream: AsyncIterable<Buffer>): Promise<void> {
  for await (const _chunk of stream) void _chunk;
}

function addEntry(pack: Pack, header: Headers): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, (error) => (error ? reject(error) : resolve()));
  });
}

async function lstatOrNotFound(host: string, containerPath: string, reference: string): Promise<Stats> {
  try {
    return await lstat(host);
  } catch {
    throw notFound(`Could not find the file ${containerPath} in container ${reference}`);
  }
}

/** The name the top entry gets: the path's base, `.` for `dir/.`. */
function archiveBase(path: string): string {
  if (path.endsWith('/.')) return '.';
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : posix.basename(trimmed);
}

/** Go's os.FileMode for a stat result (what docker's CLI decodes). */
export function goFileMode(stats: Stats): number {
  let mode = stats.mode & 0o777;
  if (stats.mode & 0o4000) mode += 2 ** 23;
  if (stats.mode & 0o2000) mode += 2 ** 22;
  if (stats.mode & 0o1000) mode += 2 ** 20;
  if (stats.isDirectory()) mode += 2 ** 31;
  else if (stats.isSymbolicLink()) mode += 2 ** 27;
  else if (stats.isFIFO()) mode += 2 ** 25;
  else if (stats.isSocket()) mode += 2 ** 24;
  else if (stats.isCharacterDevice()) mode += 2 ** 26 + 2 ** 21;
  else if (stats.isBlockDevice()) mode += 2 ** 26;
  return mode;
}
