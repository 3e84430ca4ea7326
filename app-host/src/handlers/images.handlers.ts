import { AppError } from '@berth/common';
import type { AppHandlers, ImageSummary, PullProgress } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import { jsonLines } from '../docker/frames.js';
import { arr, num, obj, str, stringRecord, strings, type Json } from './json.js';

export function toImageSummary(value: unknown): ImageSummary {
  const i = obj(value);
  return {
    id: str(i['Id']),
    repoTags: strings(i['RepoTags']).filter((tag) => tag !== '<none>:<none>'),
    repoDigests: strings(i['RepoDigests']).filter((digest) => digest !== '<none>@<none>'),
    created: num(i['Created']),
    size: num(i['Size']),
    containers: num(i['Containers'], -1),
    labels: stringRecord(i['Labels']),
  };
}

/** Splits `name[:tag][@digest]` the way the docker CLI does before POST /images/create. */
export function splitReference(reference: string): { fromImage: string; tag: string } {
  const at = reference.indexOf('@');
  if (at >= 0) return { fromImage: reference.slice(0, at), tag: reference.slice(at + 1) };
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash) return { fromImage: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { fromImage: reference, tag: 'latest' };
}

/**
 * One progress line of a pull or a push, or undefined for a line that is not progress: a push ends
 * with an `aux` line (tag, digest, size) that has no status and must not blank the last one shown.
 */
export function toPullProgress(value: unknown): PullProgress | undefined {
  const m = obj(value);
  if (m['error'] !== undefined || m['errorDetail'] !== undefined) {
    const message = str(m['error'], str(obj(m['errorDetail'])['message'], 'pull failed'));
    throw new AppError(/not found|manifest unknown|does not exist/i.test(message) ? 'not-found' : 'internal', message);
  }
  if (str(m['status']) === '' && str(m['id']) === '') return undefined;
  const progress: PullProgress = { status: str(m['status']) };
  const layerId = str(m['id']);
  if (layerId !== '') progress.layerId = layerId;
  const detail = obj(m['progressDetail']);
  if (typeof detail['current'] === 'number') progress.current = detail['current'];
  if (typeof detail['total'] === 'number') progress.total = detail['total'];
  return progress;
}

const ref = (value: string): string => encodeURIComponent(value);

export function createImageHandlers(docker: DockerClient): AppHandlers['images'] {
  return {
    async list(input, { signal }) {
      const raw = await docker.json<unknown[]>({ method: 'GET', path: '/images/json', query: { all: input.all }, signal });
      return arr(raw).map(toImageSummary);
    },
    async inspect(input, { signal }) {
      return obj(await docker.json<Json>({ method: 'GET', path: `/images/${ref(input.id)}/json`, signal }));
    },
    async *pull(input, { signal }) {
      const { fromImage, tag } = splitReference(input.reference);
      const { body } = await docker.stream({
        method: 'POST',
        path: '/images/create',
        query: { fromImage, tag, platform: input.platform },
        signal,
        headersTimeout: 0,
      });
      try {
        for await (const message of jsonLines(body)) {
          const progress = toPullProgress(message);
          if (progress !== undefined) yield progress;
        }
      } finally {
        body.destroy();
      }
    },
    async *push(input, { signal }) {
      const { fromImage, tag } = splitReference(input.reference);
      const { body } = await docker.stream({
        method: 'POST',
        // As the CLI sends it: `/images/127.0.0.1:5000/team/app/push` (ImageRef only allows URL-safe characters).
        path: `/images/${fromImage}/push`,
        query: { tag },
        // No stored credentials yet: an empty auth header is what the CLI sends for anonymous pushes.
        headers: { 'x-registry-auth': Buffer.from('{}').toString('base64url') },
        signal,
        headersTimeout: 0,
      });
      try {
        for await (const message of jsonLines(body)) {
          const progress = toPullProgress(message);
          if (progress !== undefined) yield progress;
        }
      } finally {
        body.destroy();
      }
    },
    async history(input, { signal }) {
      const raw = await docker.json<unknown[]>({ method: 'GET', path: `/images/${ref(input.id)}/history`, signal });
      return arr(raw).map((entry) => {
        const e = obj(entry);
        return {
          id: str(e['Id'], '<missing>'),
          created: num(e['Created']),
          createdBy: str(e['CreatedBy']),
          size: num(e['Size']),
          tags: strings(e['Tags']),
          comment: str(e['Comment']),
        };
      });
    },
    async prune(input, { signal }) {
      const raw = obj(
        await docker.json({
          method: 'POST',
          path: '/images/prune',
          query: { filters: JSON.stringify({ dangling: [input.all ? 'false' : 'true'] }) },
          signal,
          headersTimeout: 0,
        }),
      );
      return { deleted: arr(raw['ImagesDeleted']).length, spaceReclaimed: num(raw['SpaceReclaimed']) };
    },
    async remove(input, { signal }) {
      const raw = await docker.json<unknown[]>({
        method: 'DELETE',
        path: `/images/${ref(input.id)}`,
        query: { force: input.force, noprune: input.noPrune },
        signal,
      });
      const untagged: string[] = [];
      const deleted: string[] = [];
      for (const entry of arr(raw)) {
        const e = obj(entry);
        if (typeof e['Untagged'] === 'string') untagged.push(e['Untagged']);
        if (typeof e['Deleted'] === 'string') deleted.push(e['Deleted']);
      }
      return { untagged, deleted };
    },
    async tag(input, { signal }) {
      await docker.json({
        method: 'POST',
        path: `/images/${ref(input.source)}/tag`,
        query: { repo: input.repository, tag: input.tag },
        signal,
      });
    },
  };
}
