import { pipeline } from 'node:stream/promises';
import type { ContainerImages } from '../../services/images/container-images.js';
import type { Route } from '../router.js';

/** `docker diff` (`GET /containers/:id/changes`) and `docker export` (`GET /containers/:id/export`). */
export function containerFilesystemRoutes(containerImages: ContainerImages): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/containers/:id/changes',
      handler: async (context) => {
        const changes = await containerImages.changes(context.params['id'] ?? '');
        context.send(200, changes.length === 0 ? null : changes.map((change) => ({ Path: change.path, Kind: change.kind })));
      },
    },
    {
      method: 'GET',
      pattern: '/containers/:id/export',
      handler: async (context) => {
        const tar = await containerImages.export(context.params['id'] ?? '', context.signal);
        const response = context.startStream(200, 'application/x-tar');
        await pipeline(tar, response).catch(() => response.destroy());
      },
    },
  ];
}
