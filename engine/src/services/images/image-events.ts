import type { Readable } from 'node:stream';
import {
  familiarImageReference,
  familiarRepositoryName,
  familiarizeName,
  parseImageReference,
  repositoryName,
} from '@berth/common';
import type { EngineEvent } from '../../core/events/engine-event.js';
import type { Image } from '../../core/images/image.js';
import type {
  CommitRequest,
  ImageDeleteItem,
  ImageFilters,
  ImageHistoryItem,
  ImagePruneResult,
  ImageService,
  ImportRequest,
  PullRequest,
  PushRequest,
  RegistryCredentials,
} from '../../core/images/image-service.js';

/** Where image events go (the engine's EventBus). */
export interface ImageEventSink {
  publish(event: Omit<EngineEvent, 'timeNano'>): void;
}

/**
 * The image service with dockerd's image events (`docker events --filter type=image`, and the app's
 * live image list): pull, push, tag, untag, delete, import, load, save, prune. Actors as dockerd
 * names them (daemon/images LogImageEvent): pull and push by familiar reference with the repository
 * as `name`; the others by image ID. Labels of an image that still exists are attributes too.
 * Events follow success only: a failed operation changed nothing worth announcing.
 */
export class EventingImageService implements ImageService {
  constructor(
    private readonly images: ImageService,
    private readonly events: ImageEventSink,
  ) {}

  async pull(request: PullRequest): Promise<Image> {
    const image = await this.images.pull(request);
    const named = withDefaultTag(request.reference);
    this.publish('pull', familiarImageReference(named), image, familiarRepositoryName(named));
    return image;
  }

  async push(request: PushRequest): Promise<void> {
    await this.images.push(request);
    const reference = parseImageReference(request.name);
    const repository = repositoryName(reference);
    const tags =
      request.tag !== undefined && request.tag !== ''
        ? [request.tag]
        : (await this.images.list()).flatMap((image) =>
            image.repoTags.filter((tag) => tag.startsWith(`${repository}:`)).map((tag) => tag.slice(repository.length + 1)),
          );
    for (const tag of tags) {
      const pushed = { registry: reference.registry, repository: reference.repository, tag };
      this.publish(
        'push',
        familiarImageReference(pushed),
        await this.images.find(`${repository}:${tag}`),
        familiarRepositoryName(pushed),
      );
    }
  }

  async tag(source: string, target: string): Promise<void> {
    await this.images.tag(source, target);
    const image = await this.images.get(target);
    this.publishTag(image, target);
  }

  async remove(nameOrId: string, options?: { force?: boolean; noprune?: boolean }): Promise<ImageDeleteItem[]> {
    const image = await this.images.find(nameOrId);
    const items = await this.images.remove(nameOrId, options);
    if (image !== undefined) this.publishRemoval(items, new Map([[image.id, image]]));
    return items;
  }

  async prune(options: { all: boolean; filters: ImageFilters }): Promise<ImagePruneResult> {
    const before = new Map((await this.images.list()).map((image) => [image.id, image]));
    const result = await this.images.prune(options);
    this.publishRemoval(result.deleted, before);
    this.events.publish({
      type: 'image',
      action: 'prune',
      actor: { id: '', attributes: { reclaimed: String(result.spaceReclaimed) } },
    });
    return result;
  }

  async commit(request: CommitRequest): Promise<Image> {
    // The commit itself is a container event (the container side announces it); naming the new
    // image is a tag, as dockerd's commit tags through its image service.
    const image = await this.images.commit(request);
    this.publishTag(image, request.reference);
    return image;
  }

  async importImage(request: ImportRequest): Promise<Image> {
    const image = await this.images.importImage(request);
    // dockerd tags first, then announces the import.
    this.publishTag(image, request.reference);
    this.publish('import', image.id, image, image.id);
    return image;
  }

  async save(names: readonly string[], signal?: AbortSignal): Promise<Readable> {
    const archive = await this.images.save(names, signal);
    for (const name of names) {
      const image = await this.images.find(name);
      if (image !== undefined) this.publish('save', image.id, image, image.id);
    }
    return archive;
  }

  async load(archive: Readable, options: { onLoaded: (line: string) => void; signal?: AbortSignal }): Promise<Image[]> {
    const loaded = await this.images.load(archive, options);
    for (const image of loaded) this.publish('load', image.id, image, image.id);
    return loaded;
  }

  find(nameOrId: string): Promise<Image | undefined> {
    return this.images.find(nameOrId);
  }

  get(nameOrId: string): Promise<Image> {
    return this.images.get(nameOrId);
  }

  list(): Promise<Image[]> {
    return this.images.list();
  }

  filter(filters: ImageFilters): Promise<Image[]> {
    return this.images.filter(filters);
  }

  history(nameOrId: string): Promise<ImageHistoryItem[]> {
    return this.images.history(nameOrId);
  }

  login(serverAddress: string, credentials: RegistryCredentials, signal?: AbortSignal): Promise<void> {
    return this.images.login(serverAddress, credentials, signal);
  }

  diskUsage(): ReturnType<ImageService['diskUsage']> {
    return this.images.diskUsage();
  }

  /**
   * One `untag` per removed name and one `delete` per removed image, both by image ID as dockerd
   * does. `Deleted` lines also list layer chain IDs: only image IDs count.
   */
  private publishRemoval(items: readonly ImageDeleteItem[], known: ReadonlyMap<string, Image>): void {
    const owners = new Map<string, Image>();
    for (const image of known.values()) {
      for (const name of [...image.repoTags, ...image.repoDigests]) owners.set(familiarizeName(name), image);
    }
    for (const item of items) {
      if ('untagged' in item) {
        const image = owners.get(item.untagged);
        if (image !== undefined) this.publish('untag', image.id, undefined, image.id);
      } else {
        const image = known.get(item.deleted);
        if (image !== undefined) this.publish('delete', image.id, undefined, image.id);
      }
    }
  }

  /** A name given to an image (tag, or the name of a commit or import); nothing when there is none. */
  private publishTag(image: Image, reference: string | undefined): void {
    if (reference !== undefined && reference !== '')
      this.publish('tag', image.id, image, familiarImageReference(withDefaultTag(reference)));
  }

  private publish(action: string, id: string, image: Image | undefined, name: string): void {
    this.events.publish({
      type: 'image',
      action,
      actor: { id, attributes: { ...(image?.config.config?.Labels ?? {}), name } },
    });
  }
}

function withDefaultTag(reference: string) {
  const parsed = parseImageReference(reference);
  return parsed.tag === undefined && parsed.digest === undefined ? { ...parsed, tag: 'latest' } : parsed;
}
