import { invalidArgument } from '@berth/common';
import type { ImageContainerConfig } from '../../core/images/image-config.js';
import type { ContainerImages } from '../../services/images/container-images.js';
import { parseBoolean } from '../query.js';
import type { Route } from '../router.js';

/** `POST /commit`: a container's changes become a new image (`docker commit`). */
export function commitRoutes(containerImages: ContainerImages): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/commit',
      handler: async (context) => {
        const container = context.query.get('container') ?? '';
        if (container === '') throw invalidArgument('container is required');
        const repo = context.query.get('repo') ?? '';
        const tag = context.query.get('tag') ?? '';
        if (repo === '' && tag !== '') throw invalidArgument('tag requires a repository name');
        const body = await context.json<ImageContainerConfig | null>();
        const text = (name: string): string | undefined => {
          const value = context.query.get(name);
          return value === null || value === '' ? undefined : value;
        };
        const comment = text('comment');
        const author = text('author');
        const image = await containerImages.commit(container, {
          ...(repo !== '' ? { reference: tag !== '' ? `${repo}:${tag}` : repo } : {}),
          ...(comment !== undefined ? { comment } : {}),
          ...(author !== undefined ? { author } : {}),
          changes: context.query.getAll('changes'),
          pause: parseBoolean(context.query.get('pause'), true),
          ...(body !== undefined && body !== null && typeof body === 'object' ? { config: body } : {}),
          signal: context.signal,
        });
        context.send(201, { Id: image.id });
      },
    },
  ];
}
