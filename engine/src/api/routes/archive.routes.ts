import { pipeline } from 'node:stream/promises';
import { parseBoolean } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import type { ContainerArchive, PathStat } from '../../services/volumes/container-archive.js';

/** `docker cp`: HEAD (stat), GET (tar out) and PUT (tar in) of `/containers/:id/archive?path=`. */
export function archiveRoutes(archive: ContainerArchive): Route[] {
  return [
    {
      method: 'HEAD',
      pattern: '/containers/:id/archive',
      handler: async (context) => {
        const stat = await archive.stat(id(context), context.query.get('path') ?? '');
        context.empty(200, { 'X-Docker-Container-Path-Stat': encodeStat(stat), 'Content-Type': 'application/x-tar' });
      },
    },
    {
      method: 'GET',
      pattern: '/containers/:id/archive',
      handler: async (context) => {
        const { stat, tar } = await archive.read(id(context), context.query.get('path') ?? '', context.signal);
        const response = context.startStream(200, 'application/x-tar', { 'X-Docker-Container-Path-Stat': encodeStat(stat) });
        await pipeline(tar, response).catch(() => response.destroy());
      },
    },
    {
      method: 'PUT',
      pattern: '/containers/:id/archive',
      handler: async (context) => {
        await archive.write(
          id(context),
          context.query.get('path') ?? '',
          context.body(),
          {
            noOverwriteDirNonDir: parseBoolean(context.query.get('noOverwriteDirNonDir')),
            copyUidGid: parseBoolean(context.query.get('copyUIDGID')),
          },
          context.signal,
        );
        context.empty(200);
      },
    },
  ];
}

function id(context: RequestContext): string {
  return context.params['id'] ?? '';
}

function encodeStat(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}
