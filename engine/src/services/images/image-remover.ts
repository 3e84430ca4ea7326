import { AppError, conflict, familiarizeName, parseImageReference, repositoryName } from '@berth/common';
import type { ContentStore } from '../../core/content/content-store.js';
import type { Image } from '../../core/images/image.js';
import type { ImageDeleteItem, ImageFilters, ImagePruneResult, ImageUsage } from '../../core/images/image-service.js';
import type { ImageStore } from '../../core/images/image-store.js';
import type { Snapshotter } from '../../core/snapshots/snapshotter.js';
import { digestHex, type Digest } from '../../lib/digest.js';
import type { Logger } from '../../lib/logger.js';
import type { ContentLeases } from './content-leases.js';
import { imageCreatedMs, matchesLabels, parseUntil, wantsDangling } from './image-filters.js';

export interface ImageRemoverOptions {
  store: ImageStore;
  content: ContentStore;
  snapshotter: Snapshotter;
  leases: ContentLeases;
  usage: ImageUsage;
  logger: Logger;
  find(nameOrId: string): Promise<Image | undefined>;
}

/** moby's conflict kinds: hard ones cannot be forced. */
interface DeleteConflict {
  hard: boolean;
  used: boolean;
  message: string;
}

const short = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

/** Removal, prune and garbage collection of images, their unpacked layers and their blobs. */
export class ImageRemover {
  constructor(private readonly options: ImageRemoverOptions) {}

  containersUsing(imageId: Digest): number {
    return this.options.usage.containersUsing(imageId).length;
  }

  /** dockerd's ImageDelete (daemon/images/image_delete.go), step for step. */
  async remove(nameOrId: string, force: boolean): Promise<ImageDeleteItem[]> {
    const { store } = this.options;
    // A container removed a moment ago may still sit on this image's layers.
    await this.options.usage.settled?.();
    const image = await this.options.find(nameOrId);
    if (!image) throw new AppError('not-found', `No such image: ${nameOrId}`);
    const records: ImageDeleteItem[] = [];
    let quiet = false;
    if (!isIdPrefix(image.id, nameOrId)) {
      const names = [...image.repoTags, ...image.repoDigests];
      if (!force && isSingleReference(image)) {
        const user = this.options.usage.containersUsing(image.id)[0];
        if (user) {
          throw conflict(
            `conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${short(user.id)} is using its referenced image ${short(image.id)}`,
          );
        }
      }
      const reference = parseImageReference(nameOrId);
      const repository = repositoryName(reference);
      const name = reference.digest ? `${repository}@${reference.digest}` : `${repository}:${reference.tag ?? 'latest'}`;
      if (!names.includes(name)) throw new AppError('not-found', `No such image: ${nameOrId}`);
      store.removeReference(name);
      records.push({ untagged: familiarizeName(name) });
      let remaining = store.get(image.id);
      // Removing the last tag of a repository also drops that repository's digest references.
      if (reference.digest === undefined && remaining && !remaining.repoTags.some((tag) => sameRepository(tag, repository))) {
        for (const digestName of remaining.repoDigests.filter((other) => sameRepository(other, repository))) {
          store.removeReference(digestName);
          records.push({ untagged: familiarizeName(digestName) });
        }
        remaining = store.get(image.id);
      }
      if (remaining && remaining.repoTags.length + remaining.repoDigests.length > 0) return records;
      quiet = true;
    } else if (isSingleReference(image)) {
      const found = this.checkConflict(image, { hard: true, soft: !force, activeReference: false });
      if (found) throw this.conflictError(image, found);
      for (const name of [...image.repoTags, ...image.repoDigests]) {
        store.removeReference(name);
        records.push({ untagged: familiarizeName(name) });
      }
    }
    await this.deleteHelper(image, records, force, quiet);
    return records;
  }

  /** dockerd's ImagesPrune: dangling images, or (`all`) every image nothing uses; returns the freed layer bytes. */
  async prune(options: { all: boolean; filters: ImageFilters }): Promise<ImagePruneResult> {
    const { store } = this.options;
    await this.options.usage.settled?.();
    const danglingOnly = options.all ? false : (wantsDangling(options.filters) ?? true);
    const until = options.filters.get('until')?.map((value) => parseUntil(value));
    const sizes = new Map((await this.options.snapshotter.list()).map((info) => [info.key, info.size ?? 0]));
    const deleted: ImageDeleteItem[] = [];
    for (const image of store.list()) {
      if (until !== undefined && !until.some((limit) => imageCreatedMs(image) < limit)) continue;
      if (!matchesLabels(image, options.filters)) continue;
      const names = [...image.repoTags, ...image.repoDigests];
      try {
        if (names.length === 0) {
          deleted.push(...(await this.remove(digestHex(image.id), false)));
        } else if (!danglingOnly || image.repoTags.length === 0) {
          for (const name of names) deleted.push(...(await this.remove(name, false)));
        }
      } catch (error) {
        // Images in use (conflicts) are what prune keeps; anything else is logged and skipped like dockerd.
        if (!(error instanceof AppError && (error.kind === 'conflict' || error.kind === 'not-found'))) {
          this.options.logger.warn({ image: image.id, err: error }, 'prune: removing image failed');
        }
      }
    }
    let spaceReclaimed = 0;
    for (const item of deleted) if ('deleted' in item) spaceReclaimed += sizes.get(item.deleted) ?? 0;
    await this.collectGarbage();
    return { deleted, spaceReclaimed };
  }

  /**
   * Removes committed snapshots no image or container needs and blobs no image holds, skipping
   * anything an in-flight pull leased. Returns what it removed.
   */
  async collectGarbage(
    options: { ingestMaxAgeMs?: number } = {},
  ): Promise<{ snapshots: string[]; blobs: Digest[]; ingests: string[] }> {
    const { store, snapshotter, content, leases } = this.options;
    await this.options.usage.settled?.();
    // Partial downloads nobody resumed for a day (default) are abandoned; live ones are locked and kept.
    const ingests = await content.removeStaleIngests(options.ingestMaxAgeMs ?? 24 * 60 * 60 * 1000);
    const images = store.list();
    const liveChains = new Set(images.flatMap((image) => image.chainIds));
    const removedSnapshots: string[] = [];
    // Children first: repeat until nothing more can go (each pass removes the current leaves).
    for (let changed = true; changed;) {
      changed = false;
      const snapshots = await snapshotter.list();
      const parents = new Set(snapshots.map((info) => info.parent).filter((parent) => parent !== undefined));
      for (const info of snapshots) {
        if (info.kind !== 'committed' || liveChains.has(info.key as Digest) || parents.has(info.key as Digest)) continue;
        if (leases.isLeased(info.key)) continue;
        await snapshotter.remove(info.key);
        store.forgetLayerSize(info.key as Digest);
        removedSnapshots.push(info.key);
        changed = true;
      }
    }
    const referenced = store.referencedContent();
    const removedBlobs: Digest[] = [];
    for (const blob of await content.list()) {
      if (referenced.has(blob.digest) || leases.isLeased(blob.digest)) continue;
      await content.delete(blob.digest);
      removedBlobs.push(blob.digest);
    }
    if (removedSnapshots.length + removedBlobs.length > 0) {
      this.options.logger.info({ snapshots: removedSnapshots.length, blobs: removedBlobs.length }, 'garbage collected');
    }
    return { snapshots: removedSnapshots, blobs: removedBlobs, ingests };
  }

  private async deleteHelper(image: Image, records: ImageDeleteItem[], force: boolean, quiet: boolean): Promise<void> {
    const { store, snapshotter, content, leases } = this.options;
    const current = store.get(image.id) ?? image;
    const found = this.checkConflict(current, { hard: true, soft: !force, activeReference: !force });
    if (found) {
      const dangling = current.repoTags.length + current.repoDigests.length === 0;
      if (quiet && (!dangling || found.used)) return;
      throw this.conflictError(current, found);
    }
    for (const name of [...current.repoTags, ...current.repoDigests]) {
      store.removeReference(name);
      records.push({ untagged: familiarizeName(name) });
    }
    const blobs = store.content(image.id);
    store.delete(image.id);
    records.push({ deleted: image.id });
    this.options.logger.info({ image: image.id }, 'image deleted');

    const stillUsed = new Set(store.list().flatMap((other) => other.chainIds));
    for (const chainId of [...image.chainIds].reverse()) {
      if (stillUsed.has(chainId) || leases.isLeased(chainId)) break;
      try {
        await snapshotter.remove(chainId);
      } catch (error) {
        // A container's layer still sits on it (forced removal): it goes with the container or the next GC.
        if (error instanceof AppError && (error.kind === 'conflict' || error.kind === 'not-found')) break;
        throw error;
      }
      store.forgetLayerSize(chainId);
      records.push({ deleted: chainId });
    }
    const referenced = store.referencedContent();
    for (const blob of blobs) {
      if (referenced.has(blob.digest) || leases.isLeased(blob.digest)) continue;
      await content.delete(blob.digest);
    }
  }

  /** moby's checkImageDeleteConflict (no parent images here, so no "dependent child images"). */
  private checkConflict(
    image: Image,
    mask: { hard: boolean; soft: boolean; activeReference: boolean },
  ): DeleteConflict | undefined {
    const users = this.options.usage.containersUsing(image.id);
    const running = users.find((user) => user.running);
    if (mask.hard && running) {
      return { hard: true, used: true, message: `image is being used by running container ${short(running.id)}` };
    }
    if (mask.soft && mask.activeReference && image.repoTags.length + image.repoDigests.length > 0) {
      return { hard: false, used: false, message: 'image is referenced in multiple repositories' };
    }
    const stopped = users.find((user) => !user.running);
    if (mask.soft && stopped) {
      return { hard: false, used: true, message: `image is being used by stopped container ${short(stopped.id)}` };
    }
    return undefined;
  }

  private conflictError(image: Image, found: DeleteConflict): AppError {
    return conflict(
      `conflict: unable to delete ${short(image.id)} (${found.hard ? 'cannot be forced' : 'must be forced'}) - ${found.message}`,
    );
  }
}

function isIdPrefix(id: Digest, reference: string): boolean {
  return id.startsWith(reference) || digestHex(id).startsWith(reference);
}

function repositoryOf(name: string): string {
  const at = name.indexOf('@');
  if (at !== -1) return name.slice(0, at);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

function sameRepository(name: string, repository: string): boolean {
  return repositoryOf(name) === repository;
}

/** moby's isSingleReference: at most one tag, and every digest reference in that tag's repository. */
function isSingleReference(image: Image): boolean {
  const names = [...image.repoTags, ...image.repoDigests];
  if (names.length <= 1) return names.length === 1;
  if (image.repoTags.length > 1) return false;
  const digestRepos = new Set(image.repoDigests.map(repositoryOf));
  const single = image.repoTags[0] ?? image.repoDigests[0];
  return digestRepos.size === 1 && single !== undefined && digestRepos.has(repositoryOf(single));
}
