import { AppError, invalidArgument, toAppError } from '@berth/common';
import type { ImageService } from '../../core/images/image-service.js';
import { presentImageInspect, presentImageSummary } from '../presenters/image-presenter.js';
import { parseBoolean, parseFilters } from '../query.js';
import { decodeRegistryAuth } from '../registry-auth.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import { JsonLinesWriter } from '../streams/json-lines.js';

export function imageRoutes(images: ImageService): Route[] {
  return [
    { method: 'POST', pattern: '/images/create', handler: (context) => pull(context, images) },
    {
      method: 'GET',
      pattern: '/images/json',
      handler: async (context) => {
        parseBoolean(context.query.get('all'));
        const filters = parseFilters(context.query.get('filters'));
        const list = (await images.list())
          .filter((image) => {
            const dangling = filters.get('dangling');
            if (dangling !== undefined && dangling.length > 0) {
              const wantDangling = parseBoolean(dangling[0]);
              if ((image.repoTags.length === 0) !== wantDangling) return false;
            }
            return true;
          })
          .sort((a, b) => b.storedAt - a.storedAt);
        context.send(200, list.map(presentImageSummary));
      },
    },
    {
      method: 'GET',
      pattern: '/images/:name*/json',
      handler: async (context) => {
        context.send(200, presentImageInspect(await images.get(context.params['name'] ?? '')));
      },
    },
  ];
}

/** Joins `fromImage` and `tag` as the CLI and docker-py send them (`tag` may be a digest). */
export function pullReference(fromImage: string, tag: string | null): string {
  if (tag === null || tag === '') return fromImage;
  return tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

async function pull(context: RequestContext, images: ImageService): Promise<void> {
  const fromImage = context.query.get('fromImage');
  if (context.query.get('fromSrc') !== null)
    throw new AppError('not-implemented', 'importing images (fromSrc) is not supported yet');
  if (fromImage === null || fromImage === '') throw invalidArgument('fromImage is required');
  const reference = pullReference(fromImage, context.query.get('tag'));
  const credentials = decodeRegistryAuth(context.header('x-registry-auth'));
  const platform = context.query.get('platform');
  const writer = new JsonLinesWriter(context.startStream(200, 'application/json'));
  try {
    await images.pull({
      reference,
      ...(credentials !== undefined ? { credentials } : {}),
      ...(platform !== null && platform !== '' ? { platform } : {}),
      onProgress: (message) => writer.write(message),
      signal: context.signal,
    });
  } catch (error) {
    writer.writeError(toAppError(error).message);
  }
  writer.end();
}
