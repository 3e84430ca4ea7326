import {
  AppError,
  familiarImageReference,
  formatImageReference,
  invalidArgument,
  notFound,
  parseImageReference,
  repositoryName,
  type ImageReference,
} from '@berth/common';
import type { ContentStore } from '../../core/content/content-store.js';
import type { Image } from '../../core/images/image.js';
import type { ImageConfig } from '../../core/images/image-config.js';
import type { Readable } from 'node:stream';
import type {
  CommitRequest,
  ImageDeleteItem,
  ImageFilters,
  ImageHistoryItem,
  ImagePruneResult,
  ImageService,
  ImageUsage,
  ImportRequest,
  ProgressMessage,
  PullRequest,
  PushRequest,
  RegistryCredentials,
} from '../../core/images/image-service.js';
import type { ImageContentRef, ImageStore } from '../../core/images/image-store.js';
import type { Descriptor, RegistryClient } from '../../core/registry/registry-client.js';
import type { Snapshotter } from '../../core/snapshots/snapshotter.js';
import { chainIds as computeChainIds, digestHex, isDigest, type Digest } from '../../lib/digest.js';
import type { Logger } from '../../lib/logger.js';
import { BlobDownloader, type RetryPolicy } from './blob-downloader.js';
import { ContentLeases, type Lease } from './content-leases.js';
import { checkImageFilters, filterImages, imageCreatedMs } from './image-filters.js';
import { imageHistory } from './image-history.js';
import { loadImages } from './image-archive-reader.js';
import { saveImages } from './image-archive-writer.js';
import { commitImage } from './image-committer.js';
import { importImage } from './image-importer.js';
import { ImagePusher } from './image-pusher.js';
import { LayerBlobs } from './layer-blobs.js';
import { ImageRemover } from './image-remover.js';
import { renderProgress } from './progress-bar.js';
import { runLimited } from './run-limited.js';

export interface DefaultImageServiceOptions {
  content: ContentStore;
  registry: RegistryClient;
  snapshotter: Snapshotter;
  store: ImageStore;
  logger: Logger;
  /** Parallel layer downloads per pull (dockerd: 3). */
  maxConcurrentDownloads?: number;
  retry?: RetryPolicy;
  /** Minimum interval between two Downloading/Extracting messages of one layer (default 100 ms). */
  progressIntervalMs?: number;
  /** Which containers use an image (rmi's conflicts); none when omitted. */
  usage?: ImageUsage;
  /** Push blobs in PATCH chunks of this many bytes instead of one PUT. */
  pushChunkSize?: number;
}

interface LayerPlan {
  descriptor: Descriptor;
  diffId: Digest;
  chainId: Digest;
  parent: Digest | undefined;
  /** First 12 hex of the compressed digest: the `id` of its progress lines. */
  shortId: string;
}

/**
 * Pulls like dockerd: resolve → config (its digest is the image ID) → layers (downloads in parallel,
 * unpacked bottom-up as snapshots keyed by chain ID) → tag, only once everything verified.
 */
export class DefaultImageService implements ImageService {
  private readonly content: ContentStore;
  private readonly registry: RegistryClient;
  private readonly snapshotter: Snapshotter;
  private readonly store: ImageStore;
  private readonly logger: Logger;
  private readonly downloader: BlobDownloader;
  private readonly maxConcurrentDownloads: number;
  private readonly progressIntervalMs: number;
  private readonly unpacking = new Map<Digest, Promise<number>>();
  private readonly leases = new ContentLeases();
  private readonly remover: ImageRemover;
  private readonly pusher: ImagePusher;
  private readonly layerBlobs: LayerBlobs;

  constructor(options: DefaultImageServiceOptions) {
    this.content = options.content;
    this.registry = options.registry;
    this.snapshotter = options.snapshotter;
    this.store = options.store;
    this.logger = options.logger;
    this.downloader = new BlobDownloader(options.content, options.registry, options.logger, options.retry);
    this.maxConcurrentDownloads = options.maxConcurrentDownloads ?? 3;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
    this.layerBlobs = new LayerBlobs(options.content, options.store, options.snapshotter);
    this.remover = new ImageRemover({
      store: options.store,
      content: options.content,
      snapshotter: options.snapshotter,
      leases: this.leases,
      usage: options.usage ?? { containersUsing: () => [] },
      logger: options.logger,
      find: (nameOrId) => this.find(nameOrId),
    });
    this.pusher = new ImagePusher({
      content: options.content,
      registry: options.registry,
      store: options.store,
      logger: options.logger,
      progressIntervalMs: this.progressIntervalMs,
      ...(options.pushChunkSize !== undefined ? { chunkSize: options.pushChunkSize } : {}),
    });
  }

  async pull(request: PullRequest): Promise<Image> {
    const lease = this.leases.lease();
    try {
      return await this.pullLeased(request, lease);
    } finally {
      lease.release();
    }
  }

  private async pullLeased(request: PullRequest, lease: Lease): Promise<Image> {
    const reference = parseImageReference(request.reference);
    const emit = request.onProgress ?? (() => undefined);
    const signal = request.signal;
    const credentials = request.credentials;
    const common = { ...(credentials ? { credentials } : {}), ...(signal ? { signal } : {}) };
    emit({ status: `Pulling from ${reference.repository}`, id: reference.digest ?? reference.tag ?? 'latest' });

    const resolved = await this.registry.resolve(reference, {
      ...common,
      ...(request.platform ? { platform: request.platform } : {}),
    });
    const manifest = resolved.parsed;
    const configDescriptor = manifest.config;
    lease.add(
      resolved.manifest.digest,
      configDescriptor.digest,
      ...manifest.layers.map((layer) => layer.digest),
      ...(resolved.index ? [resolved.index.digest] : []),
    );
    // A blob corrupted on disk would be kept by the content store's "already there": drop it so it is fetched again.
    for (const digest of [resolved.manifest.digest, configDescriptor.digest, ...manifest.layers.map((layer) => layer.digest)]) {
      if ((await this.content.verify(digest)) === 'corrupt') {
        this.logger.warn({ digest }, 'repairing corrupted blob');
        await this.content.delete(digest);
      }
    }
    if (resolved.index) await this.content.writeBlob(resolved.index.bytes, resolved.index.digest);
    await this.content.writeBlob(resolved.manifest.bytes, resolved.manifest.digest);

    await this.downloader.download({ reference, descriptor: configDescriptor, ...common });
    const configBytes = await this.content.readBlob(configDescriptor.digest);
    const config = parseConfig(configBytes, configDescriptor.digest);
    const imageId = configDescriptor.digest;
    const diffIds = config.rootfs.diff_ids;
    if (diffIds.length !== manifest.layers.length) {
      throw invalidArgument(
        `image ${imageId}: config has ${diffIds.length} diff IDs but the manifest lists ${manifest.layers.length} layers`,
      );
    }
    const chain = computeChainIds(diffIds);
    lease.add(...chain);
    const layers: LayerPlan[] = manifest.layers.map((descriptor, i) => ({
      descriptor,
      diffId: diffIds[i] as Digest,
      chainId: chain[i] as Digest,
      parent: i === 0 ? undefined : (chain[i - 1] as Digest),
      shortId: digestHex(descriptor.digest).slice(0, 12),
    }));

    const present = await Promise.all(layers.map((layer) => this.snapshotter.hasCommitted(layer.chainId)));
    // A layer whose chain is committed needs nothing; everything above the first missing one does.
    const firstMissing = present.indexOf(false);
    const needed = firstMissing === -1 ? [] : layers.slice(firstMissing);
    for (const layer of layers.slice(0, firstMissing === -1 ? layers.length : firstMissing)) {
      emit({ status: 'Already exists', progressDetail: {}, id: layer.shortId });
    }
    for (const layer of needed) emit({ status: 'Pulling fs layer', progressDetail: {}, id: layer.shortId });
    for (const layer of needed.slice(this.maxConcurrentDownloads))
      emit({ status: 'Waiting', progressDetail: {}, id: layer.shortId });

    // Layers already unpacked whose blob is gone (repaired above, or collected) are fetched again for push and save.
    const refetch: LayerPlan[] = [];
    for (const layer of layers) {
      if (!needed.includes(layer) && !(await this.content.has(layer.descriptor.digest))) refetch.push(layer);
    }
    // Each layer is unpacked as soon as it and the layers below it are downloaded, overlapping the
    // downloads above it. If anything fails, the snapshots this pull created are removed again, so a
    // failed pull leaves no snapshot (and no tag) behind.
    const downloaded = new Map<LayerPlan, { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void }>();
    for (const layer of needed) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((ok, fail) => {
        resolve = ok;
        reject = fail;
      });
      promise.catch(() => undefined);
      downloaded.set(layer, { promise, resolve, reject });
    }
    const downloading = runLimited(
      [...needed, ...refetch],
      this.maxConcurrentDownloads,
      async (layer) => {
        const throttle = this.throttled(emit);
        await this.downloader.download({
          reference,
          descriptor: layer.descriptor,
          ...common,
          onProgress: (current, total) =>
            throttle(layer.shortId, current >= total, {
              status: 'Downloading',
              progressDetail: { current, total },
              progress: renderProgress(current, total),
              id: layer.shortId,
            }),
        });
        emit({ status: 'Verifying Checksum', progressDetail: {}, id: layer.shortId });
        emit({ status: 'Download complete', progressDetail: {}, id: layer.shortId });
        downloaded.get(layer)?.resolve();
      },
      signal,
    );
    downloading.catch((error: unknown) => downloaded.forEach((deferred) => deferred.reject(error)));
    const created: LayerPlan[] = [];
    const unpacking = (async () => {
      for (const layer of needed) {
        await downloaded.get(layer)?.promise;
        signal?.throwIfAborted();
        const existed = await this.snapshotter.hasCommitted(layer.chainId);
        await this.unpackShared(layer, emit, signal);
        if (!existed) created.push(layer);
        emit({ status: 'Pull complete', progressDetail: {}, id: layer.shortId });
      }
    })();
    const [downloads, unpacks] = await Promise.allSettled([downloading, unpacking]);
    if (downloads.status === 'rejected' || unpacks.status === 'rejected') {
      await this.removeCreatedSnapshots(created);
      throw downloads.status === 'rejected' ? downloads.reason : (unpacks as PromiseRejectedResult).reason;
    }

    const size = layers.reduce((sum, layer) => sum + (this.store.layerSize(layer.chainId) ?? 0), 0);
    const tags =
      reference.tag !== undefined && reference.digest === undefined ? [`${repositoryName(reference)}:${reference.tag}`] : [];
    if (reference.tag !== undefined && reference.digest !== undefined) tags.push(`${repositoryName(reference)}:${reference.tag}`);
    const digests = [`${repositoryName(reference)}@${resolved.digest}`];
    const before = tags[0] === undefined ? this.store.getByReference(digests[0] as string) : this.store.getByReference(tags[0]);
    const repository = repositoryName(reference);
    for (const layer of layers) {
      const { digest, mediaType, size: blobSize } = layer.descriptor;
      this.store.recordLayerBlob({ diffId: layer.diffId, digest, mediaType, size: blobSize });
      this.store.recordBlobLocation(digest, repository);
    }
    this.store.recordBlobLocation(imageId, repository);
    const content: ImageContentRef[] = [
      ...(resolved.index ? [{ digest: resolved.index.digest, kind: 'index' as const }] : []),
      { digest: resolved.manifest.digest, kind: 'manifest' },
      { digest: imageId, kind: 'config' },
      ...layers.map((layer) => ({ digest: layer.descriptor.digest, kind: 'layer' as const })),
    ];
    const image = this.store.commit({ id: imageId, config, chainIds: chain, size, content }, { tags, digests });

    emit({ status: `Digest: ${resolved.digest}` });
    const upToDate = before?.id === imageId && needed.length === 0;
    emit({
      status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarImageReference(reference)}`,
    });
    this.logger.info({ reference: formatImageReference(reference), imageId, digest: resolved.digest }, 'image pulled');
    return image;
  }

  async find(nameOrId: string): Promise<Image | undefined> {
    const hex = /^(?:sha256:)?([a-f0-9]{64})$/.exec(nameOrId)?.[1];
    if (hex) return this.store.get(`sha256:${hex}`);
    let reference: ImageReference | undefined;
    try {
      reference = parseImageReference(nameOrId);
    } catch {
      reference = undefined;
    }
    if (reference) {
      const byName = reference.digest
        ? this.store.getByReference(`${repositoryName(reference)}@${reference.digest}`)
        : this.store.getByReference(`${repositoryName(reference)}:${reference.tag ?? 'latest'}`);
      if (byName) return byName;
    }
    const prefix = /^(?:sha256:)?([a-f0-9]{1,63})$/.exec(nameOrId)?.[1];
    if (prefix) {
      const matches = this.store.findByIdPrefix(prefix);
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  /** Like find(), and checks the image's stored blobs (re-hashing only those changed on disk since their last check). */
  async get(nameOrId: string): Promise<Image> {
    const image = await this.find(nameOrId);
    if (!image) throw notFound(`No such image: ${nameOrId}`);
    const corrupt = await this.corruptContent(image);
    if (corrupt.length > 0) {
      throw new AppError(
        'invalid-argument',
        `image ${nameOrId} is invalid: stored content ${corrupt.join(', ')} failed to verify (corrupted on disk); pull the image again to repair it`,
      );
    }
    return image;
  }

  /** Blobs of the image whose bytes no longer match their digest. */
  async corruptContent(image: Image): Promise<Digest[]> {
    const corrupt: Digest[] = [];
    for (const ref of this.store.content(image.id)) {
      if ((await this.content.verify(ref.digest)) === 'corrupt') corrupt.push(ref.digest);
    }
    return corrupt;
  }

  /** `system check`-like pass: every image with its corrupted blobs (only the invalid ones are listed). */
  async checkImages(): Promise<{ image: Image; corrupt: Digest[] }[]> {
    const out: { image: Image; corrupt: Digest[] }[] = [];
    for (const image of this.store.list()) {
      const corrupt = await this.corruptContent(image);
      if (corrupt.length > 0) out.push({ image, corrupt });
    }
    return out;
  }

  async commit(request: CommitRequest): Promise<Image> {
    return commitImage(
      {
        content: this.content,
        store: this.store,
        snapshotter: this.snapshotter,
        layers: this.layerBlobs,
        leases: this.leases,
        logger: this.logger,
      },
      request,
    );
  }

  async importImage(request: ImportRequest): Promise<Image> {
    return importImage(
      { content: this.content, store: this.store, layers: this.layerBlobs, leases: this.leases, logger: this.logger },
      request,
    );
  }

  async save(names: readonly string[], signal?: AbortSignal): Promise<Readable> {
    return saveImages({ content: this.content, store: this.store, find: (name) => this.find(name) }, names, signal);
  }

  async load(archive: Readable, options: { onLoaded: (line: string) => void; signal?: AbortSignal }): Promise<Image[]> {
    return loadImages(
      { content: this.content, store: this.store, layers: this.layerBlobs, leases: this.leases, logger: this.logger },
      archive,
      options,
    );
  }

  async list(): Promise<Image[]> {
    return this.store.list();
  }

  async filter(filters: ImageFilters): Promise<Image[]> {
    checkImageFilters(filters, 'list');
    const bound = async (key: string): Promise<number | undefined> => {
      const name = filters.get(key)?.[0];
      return name === undefined ? undefined : imageCreatedMs(await this.get(name));
    };
    const before = await bound('before');
    const since = await bound('since');
    return filterImages(this.store.list(), filters, {
      ...(before !== undefined ? { before } : {}),
      ...(since !== undefined ? { since } : {}),
    });
  }

  async tag(source: string, target: string): Promise<void> {
    const image = await this.get(source);
    const reference = parseImageReference(target);
    if (reference.digest !== undefined) throw invalidArgument('refusing to create a tag with a digest reference');
    this.store.addReference(image.id, `${repositoryName(reference)}:${reference.tag ?? 'latest'}`, 'tag');
    this.logger.info({ image: image.id, tag: formatImageReference(reference) }, 'image tagged');
  }

  async remove(nameOrId: string, options: { force?: boolean; noprune?: boolean } = {}): Promise<ImageDeleteItem[]> {
    // `noprune` keeps untagged parent images; images here have no parents, so it changes nothing.
    return this.remover.remove(nameOrId, options.force ?? false);
  }

  async history(nameOrId: string): Promise<ImageHistoryItem[]> {
    return imageHistory(await this.get(nameOrId), (chainId) => this.store.layerSize(chainId));
  }

  async prune(options: { all: boolean; filters: ImageFilters }): Promise<ImagePruneResult> {
    checkImageFilters(options.filters, 'prune');
    return this.remover.prune(options);
  }

  /** Removes unreferenced snapshots and blobs (in-flight pulls are protected by their leases). */
  async collectGarbage(
    options: { ingestMaxAgeMs?: number } = {},
  ): Promise<{ snapshots: string[]; blobs: Digest[]; ingests: string[] }> {
    return this.remover.collectGarbage(options);
  }

  async login(serverAddress: string, credentials: RegistryCredentials, signal?: AbortSignal): Promise<void> {
    await this.registry.login(registryFromServerAddress(serverAddress), credentials, signal ? { signal } : {});
  }

  async push(request: PushRequest): Promise<void> {
    await this.pusher.push(request);
  }

  async diskUsage(): Promise<{ layersSize: number; images: { image: Image; containers: number; sharedSize: number }[] }> {
    const images = this.store.list();
    const users = new Map<Digest, number>();
    for (const image of images) for (const chainId of image.chainIds) users.set(chainId, (users.get(chainId) ?? 0) + 1);
    const layerSize = (chainId: Digest): number => this.store.layerSize(chainId) ?? 0;
    const layersSize = [...users.keys()].reduce((sum, chainId) => sum + layerSize(chainId), 0);
    return {
      layersSize,
      images: images.map((image) => ({
        image,
        containers: this.remover.containersUsing(image.id),
        sharedSize: image.chainIds.filter((chainId) => (users.get(chainId) ?? 0) > 1).reduce((sum, id) => sum + layerSize(id), 0),
      })),
    };
  }

  /** Undoes a failed pull's unpacking: its new snapshots, top first, unless an image or another pull needs them. */
  private async removeCreatedSnapshots(created: readonly LayerPlan[]): Promise<void> {
    const used = new Set(this.store.list().flatMap((image) => image.chainIds));
    for (const layer of [...created].reverse()) {
      if (used.has(layer.chainId) || this.leases.holders(layer.chainId) > 1) continue;
      await this.snapshotter.remove(layer.chainId).catch((error: unknown) => {
        this.logger.warn({ chainId: layer.chainId, err: error }, 'could not remove the snapshot of a failed pull');
      });
      this.store.forgetLayerSize(layer.chainId);
    }
  }

  /** One unpack per chain ID across concurrent pulls. */
  private unpackShared(layer: LayerPlan, emit: (message: ProgressMessage) => void, signal?: AbortSignal): Promise<number> {
    const running = this.unpacking.get(layer.chainId);
    if (running) return running;
    const work = this.unpack(layer, emit, signal).finally(() => this.unpacking.delete(layer.chainId));
    this.unpacking.set(layer.chainId, work);
    return work;
  }

  private async unpack(layer: LayerPlan, emit: (message: ProgressMessage) => void, signal?: AbortSignal): Promise<number> {
    const total = layer.descriptor.size;
    const throttle = this.throttled(emit);
    const reportExtracting = (current: number): void =>
      throttle(layer.shortId, current >= total, {
        status: 'Extracting',
        progressDetail: { current, total },
        progress: renderProgress(current, total),
        id: layer.shortId,
      });
    try {
      return await this.layerBlobs.unpack(
        { chainId: layer.chainId, parent: layer.parent, digest: layer.descriptor.digest, diffId: layer.diffId },
        signal,
        reportExtracting,
      );
    } catch (error) {
      if (signal?.aborted) throw new AppError('canceled', 'pull canceled', { cause: error });
      throw error;
    }
  }

  /** Rate-limits repeated progress lines per layer; the final one (`force`) always goes out. */
  private throttled(emit: (message: ProgressMessage) => void): (id: string, force: boolean, message: ProgressMessage) => void {
    const last = new Map<string, number>();
    return (id, force, message) => {
      const now = Date.now();
      if (!force && now - (last.get(id) ?? 0) < this.progressIntervalMs) return;
      last.set(id, now);
      emit(message);
    };
  }
}

/** `https://index.docker.io/v1/`, `http://127.0.0.1:5000`, `127.0.0.1:5000/` → the registry's name. */
export function registryFromServerAddress(serverAddress: string): string {
  const trimmed = serverAddress.trim();
  if (trimmed === '') return 'docker.io';
  const host = trimmed.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'docker.io') return 'docker.io';
  if (host === '') throw invalidArgument(`invalid registry address "${serverAddress}"`);
  return host;
}

function parseConfig(bytes: Buffer, digest: Digest): ImageConfig {
  let config: ImageConfig;
  try {
    config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (error) {
    throw invalidArgument(`image config ${digest} is not valid JSON`, error);
  }
  if (
    config.rootfs?.type !== 'layers' ||
    !Array.isArray(config.rootfs.diff_ids) ||
    !config.rootfs.diff_ids.every((id) => isDigest(id))
  ) {
    throw invalidArgument(`image config ${digest}: invalid rootfs (expected type "layers" and sha256 diff_ids)`);
  }
  return config;
}

export type { RegistryCredentials };
