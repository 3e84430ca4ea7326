import { invalidArgument } from '@berth/common';
import type { CreateVolumeRequest, VolumeService } from '../../services/volumes/volume-service.js';
import { presentVolume } from '../presenters/volume-presenter.js';
import { parseBoolean, parseFilters } from '../query.js';
import type { Route } from '../router.js';

export function volumeRoutes(volumes: VolumeService): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/volumes',
      handler: (context) => {
        const list = volumes.list(parseFilters(context.query.get('filters')));
        context.send(200, { Volumes: list.map((volume) => presentVolume(volume, volumes.mountpoint(volume))), Warnings: null });
      },
    },
    {
      method: 'POST',
      pattern: '/volumes/create',
      handler: async (context) => {
        const body = (await context.json<CreateVolumeRequest>()) ?? {};
        if (typeof body !== 'object' || Array.isArray(body)) throw invalidArgument('invalid JSON body');
        const volume = await volumes.create(body);
        context.send(201, presentVolume(volume, volumes.mountpoint(volume)));
      },
    },
    {
      method: 'POST',
      pattern: '/volumes/prune',
      handler: async (context) => {
        const { deleted, reclaimed } = await volumes.prune(parseFilters(context.query.get('filters')));
        context.send(200, { VolumesDeleted: deleted, SpaceReclaimed: reclaimed });
      },
    },
    {
      method: 'GET',
      pattern: '/volumes/:name',
      handler: (context) => {
        const volume = volumes.get(context.params['name'] ?? '');
        context.send(200, presentVolume(volume, volumes.mountpoint(volume)));
      },
    },
    {
      method: 'DELETE',
      pattern: '/volumes/:name',
      handler: async (context) => {
        await volumes.remove(context.params['name'] ?? '', parseBoolean(context.query.get('force')));
        context.empty(204);
      },
    },
  ];
}
