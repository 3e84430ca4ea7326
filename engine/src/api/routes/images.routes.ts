import { pipeline } from 'node:stream/promises';
import { AppError, invalidArgument, toAppError } from '@berth/common';
import type { ImageService } from '../../core/images/image-service.js';
import {
  presentImageDeleteItems,
  presentImageHistory,
  presentImageInspect,
  presentImageSummary,
} from '../presenters/image-presenter.js';
import { parseBoolean, parseFilters } from '../query.js';
import { decodeRegistryAuth } from '../registry-auth.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import { JsonLinesWriter } from '../streams/json-lines.js';

const nameParam = (context: RequestContext): string => context.params['name'] ?? '';

export function imageRoutes(images: ImageService): Route[] {
  return [
    { method: 'POST', pattern: '/images/create', handler: (context) => pull(context, images) },
    {
      method: 'GET',
      pattern: '/images/get',
      handler: async (context) => save(context, images, context.query.getAll('names')),
    },
    {
      method: 'POST',
      pattern: '/images/load',
      handler: async (context) => {
        const writer = new JsonLinesWriter(context.startStream(200, 'application/json'), '\n');
        try {
          await images.load(context.body(), { onLoaded: (line) => writer.write({ stream: line }), signal: context.signal });
        } catch (error) {
          writer.writeError(toAppError(error).message);
        }
        writer.end();
      },
    },
    {
      method: 'GET',
      pattern: '/images/json',
      handler: async (context) => {
        parseBoolean(context.query.get('all'));
        const list = (await images.filter(parseFilters(context.query.get('filters')))).sort((a, b) => b.storedAt - a.storedAt);
        context.send(
          200,
          list.map((image) => presentImageSummary(image)),
        );
      },
    },
    {
      method: 'POST',
      pattern: '/images/prune',
      handler: async (context) => {
        const filters = parseFilters(context.query.get('filters'));
        const result = await images.prune({ all: false, filters });
        context.send(200, {
          ImagesDeleted: result.deleted.length === 0 ? null : presentImageDeleteItems(result.deleted),
          SpaceReclaimed: result.spaceReclaimed,
        });
      },
    },
    {
      method: 'GET',
      pattern: '/images/:name*/json',
      handler: async (context) => {
        context.send(200, presentImageInspect(await images.get(nameParam(context))));
      },
    },
    {
      method: 'GET',
      pattern: '/images/:name*/get',
      handler: async (context) => save(context, images, [nameParam(context)]),
    },
    {
      method: 'GET',
      pattern: '/images/:name*/history',
      handler: async (context) => {
        context.send(200, presentImageHistory(await images.history(nameParam(context))));
      },
    },
    {
      method: 'POST',
      pattern: '/images/:name*/tag',
      handler: async (context) => {
        const repo = context.query.get('repo') ?? '';
        if (repo === '') throw invalidArgument('repository name must have at least one component');
        const tag = context.query.get('tag');
        await images.tag(nameParam(context), tag !== null && tag !== '' ? `${repo}:${tag}` : repo);
        context.empty(201);
      },
    },
    { method: 'POST', pattern: '/images/:name*/push', handler: (context) => push(context, images) },
    {
      method: 'DELETE',
      pattern: '/images/:name*',
      handler: async (context) => {
        const items = await images.remove(nameParam(context), {
          force: parseBoolean(context.query.get('force')),
          noprune: parseBoolean(context.query.get('noprune')),
        });
        context.send(200, presentImageDeleteItems(items));
      },
    },
  ];
}

/** Joins `fromImage` and `tag` as the CLI and docker-py send them (`tag` may be a digest). */
export function pullReference(fromImage: string, tag: string | null): string {
  if (tag === null || tag === '') return fromImage;
  return tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
}

/** `docker save`: names are resolved before the tar starts, so a missing one is a plain HTTP error. */
async function save(context: RequestContext, images: ImageService, names: string[]): Promise<void> {
  const tar = await images.save(names, context.signal);
  const response = context.startStream(200, 'application/x-tar');
  await pipeline(tar, response).catch(() => response.destroy());
}

/** `POST /images/create?fromSrc=-`: the body is a root filesystem tar (`docker import`). */
async function importImage(context: RequestContext, images: ImageService, fromSrc: string): Promise<void> {
  if (fromSrc !== '-')
    throw new AppError('not-implemented', 'importing from a URL is not supported; send the tarball as the body (fromSrc=-)');
  const repo = context.query.get('repo') ?? '';
  const tag = context.query.get('tag') ?? '';
  const message = context.query.get('message');
  const platform = context.query.get('platform');
  const writer = new JsonLinesWriter(context.startStream(200, 'application/json'));
  try {
    const image = await images.importImage({
      archive: context.body(),
      ...(repo !== '' ? { reference: tag !== '' ? `${repo}:${tag}` : repo } : {}),
      changes: context.query.getAll('changes'),
      ...(message !== null && message !== '' ? { message } : {}),
      ...(platform !== null && platform !== '' ? { platform } : {}),
      signal: context.signal,
    });
    writer.write({ status: image.id });
  } catch (error) {
    writer.writeError(toAppError(error).message);
  }
  writer.end();
}

async function pull(context: RequestContext, images: ImageService): Promise<void> {
  const fromImage = context.query.get('fromImage');
  const fromSrc = context.query.get('fromSrc');
  if (fromSrc !== null && fromSrc !== '') return importImage(context, images, fromSrc);
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

/**
 * `POST /images/{name}/push`. Like dockerd, the response starts with the first progress line, so
 * failures before it (no such tag) are plain HTTP errors the CLI prints as such.
 */
async function push(context: RequestContext, images: ImageService): Promise<void> {
  const credentials = decodeRegistryAuth(context.header('x-registry-auth'));
  const tag = context.query.get('tag');
  let writer: JsonLinesWriter | undefined;
  const stream = (): JsonLinesWriter => {
    writer ??= new JsonLinesWriter(context.startStream(200, 'application/json'));
    return writer;
  };
  try {
    await images.push({
      name: nameParam(context),
      ...(tag !== null && tag !== '' ? { tag } : {}),
      ...(credentials !== undefined ? { credentials } : {}),
      onProgress: (message) => stream().write(message),
      signal: context.signal,
    });
  } catch (error) {
    if (writer === undefined) throw error;
    writer.writeError(toAppError(error).message);
  }
  stream().end();
}
