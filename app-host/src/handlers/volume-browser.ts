import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { AppError } from '@berth/common';
import type { VolumeEntry } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import { arr, obj, str, strings } from './json.js';

/** Marks helper containers so lists can hide them. */
export const HELPER_LABEL = 'io.berth.helper';
const MOUNT = '/berth-volume';
const MAX_ENTRIES = 2000;

/** Prefers small images that surely have `sleep`; otherwise any tagged image. */
export function pickHelperImage(tags: readonly string[]): string | undefined {
  const preferred = tags.find((tag) => /(^|\/)(busybox|alpine)(:|$)/.test(tag));
  return preferred ?? tags[0];
}

/** Direct children of `dir` in a tar stream of that directory (the archive API names entries `<base>/...`). */
export async function listTarChildren(
  body: Readable,
  limit = MAX_ENTRIES,
): Promise<{ entries: VolumeEntry[]; truncated: boolean }> {
  const entries: VolumeEntry[] = [];
  let truncated = false;
  const parser = extract();
  const done = new Promise<void>((resolve, reject) => {
    parser.on('entry', (header, stream, next) => {
      const parts = header.name.replace(/\/+$/, '').split('/');
      if (parts.length === 2 && parts[1] !== undefined && parts[1] !== '') {
        if (entries.length >= limit) truncated = true;
        else {
          const type =
            header.type === 'file'
              ? 'file'
              : header.type === 'directory'
                ? 'directory'
                : header.type === 'symlink'
                  ? 'symlink'
                  : 'other';
          entries.push({
            name: parts[1],
            type,
            size: header.size ?? 0,
            modified: Math.floor((header.mtime?.getTime() ?? 0) / 1000),
            ...(header.linkname !== undefined && header.linkname !== null && type === 'symlink'
              ? { target: header.linkname }
              : {}),
          });
        }
      }
      stream.on('end', next);
      stream.resume();
    });
    parser.on('finish', resolve);
    parser.on('error', reject);
  });
  body.pipe(parser);
  await done;
  entries.sort((a, b) => (a.type === 'directory' ? 0 : 1) - (b.type === 'directory' ? 0 : 1) || a.name.localeCompare(b.name));
  return { entries, truncated };
}

/**
 * Lists a directory of a volume. The engine's archive API reads mounts only inside a running
 * container, so a helper (any local busybox/alpine-like image, `sleep`, no network, the volume
 * mounted read-only) runs for the duration of the listing and is force-removed afterwards.
 */
export async function browseVolume(
  docker: DockerClient,
  name: string,
  path: string,
  signal: AbortSignal,
): Promise<{ entries: VolumeEntry[]; truncated: boolean; helperImage: string }> {
  const images = arr(await docker.json({ method: 'GET', path: '/images/json', signal }));
  const helperImage = pickHelperImage(
    images.flatMap((image) => strings(obj(image)['RepoTags']).filter((t) => t !== '<none>:<none>')),
  );
  if (helperImage === undefined) {
    throw new AppError('conflict', 'Browsing a volume needs a local image with `sleep` (busybox or alpine): pull one first.');
  }
  const created = obj(
    await docker.json({
      method: 'POST',
      path: '/containers/create',
      body: {
        Image: helperImage,
        Entrypoint: ['sleep'],
        Cmd: ['120'],
        Labels: { [HELPER_LABEL]: 'volume-browser' },
        NetworkDisabled: true,
        HostConfig: { Binds: [`${name}:${MOUNT}:ro`], NetworkMode: 'none', AutoRemove: false },
      },
      signal,
    }),
  );
  const id = str(created['Id']);
  try {
    await docker.json({ method: 'POST', path: `/containers/${id}/start`, signal });
    const clean = path
      .split('/')
      .filter((part) => part !== '' && part !== '.')
      .join('/');
    const { body } = await docker.stream({
      method: 'GET',
      path: `/containers/${id}/archive`,
      query: { path: clean === '' ? MOUNT : `${MOUNT}/${clean}` },
      signal,
      headersTimeout: 30_000,
    });
    try {
      return { ...(await listTarChildren(body)), helperImage };
    } finally {
      body.destroy();
    }
  } finally {
    await docker.json({ method: 'DELETE', path: `/containers/${id}`, query: { force: true, v: false } }).catch(() => undefined);
  }
}
