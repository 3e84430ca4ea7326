import type { AppHandlers, VolumeSummary } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import { browseVolume } from './volume-browser.js';
import { arr, obj, optStr, str, stringRecord, type Json } from './json.js';

export function toVolumeSummary(value: unknown): VolumeSummary {
  const v = obj(value);
  const volume: VolumeSummary = {
    name: str(v['Name']),
    driver: str(v['Driver'], 'local'),
    mountpoint: str(v['Mountpoint']),
    scope: str(v['Scope'], 'local'),
    labels: stringRecord(v['Labels']),
  };
  const createdAt = optStr(v['CreatedAt']);
  if (createdAt !== undefined) volume.createdAt = createdAt;
  return volume;
}

export function createVolumeHandlers(docker: DockerClient): AppHandlers['volumes'] {
  return {
    async list(_input, { signal }) {
      const raw = await docker.json<Json>({ method: 'GET', path: '/volumes', signal });
      return arr(obj(raw)['Volumes']).map(toVolumeSummary);
    },
    async inspect(input, { signal }) {
      return obj(await docker.json<Json>({ method: 'GET', path: `/volumes/${encodeURIComponent(input.name)}`, signal }));
    },
    async create(input, { signal }) {
      const body: Json = {};
      if (input.name !== undefined) body['Name'] = input.name;
      if (input.driver !== undefined) body['Driver'] = input.driver;
      if (input.labels !== undefined) body['Labels'] = input.labels;
      return toVolumeSummary(await docker.json({ method: 'POST', path: '/volumes/create', body, signal }));
    },
    browse: (input, { signal }) => browseVolume(docker, input.name, input.path, signal),
    async remove(input, { signal }) {
      await docker.json({
        method: 'DELETE',
        path: `/volumes/${encodeURIComponent(input.name)}`,
        query: { force: input.force },
        signal,
      });
    },
  };
}
