import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
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
import type { ImageService, ProgressMessage, PullRequest, RegistryCredentials } from '../../core/images/image-service.js';
import type { ImageStore } from '../../core/images/image-store.js';
import type { Descriptor, RegistryClient } from '../../core/registry/registry-client.js';
import type { Snapshotter } from '../../core/snapshots/snapshotter.js';
import { chainIds as computeChainIds, digestHex, isDigest, type Digest } from '../../lib/digest.js';
import type { Logger } from '../../lib/logger.js';
import { BlobDownloader, type RetryPolicy } from './blob-downloader.js';
import { ByteCounter, DigestVerifier, decompressorFor, readHead } from './layer-streams.js';
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

  constructor(options: DefaultImageServiceOptions) {
    this.content = options.content;
    this.registry = options.registry;
    this.snapshotter = options.snapshotter;
    this.store = options.store;
    this.logger = options.logger;
    this.downloader = new BlobDownloader(options.content, options.registry, options.logger, options.retry);
    this.maxConcurrentDownloads = options.maxConcurrentDownloads ?? 3;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
  }

  async pull(request: PullRequest): Promise<Image> {
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
    if (resolved.index) await this.content.writeBlob(resolved.index.bytes, resolved.index.digest);
    await this.content.writeBlob(resolved.manifest.bytes, resolved.manifest.digest);
    const manifest = resolved.parsed;

    const configDescriptor = manifest.config;
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

    // Download everything first so that a bad blob leaves no snapshot or tag behind.
    await runLimited(
      needed,
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
      },
      signal,
    );

    for (const layer of needed) {
      signal?.throwIfAborted();
      await this.unpackShared(layer, emit, signal);
      emit({ status: 'Pull complete', progressDetail: {}, id: layer.shortId });
    }

    const size = layers.reduce((sum, layer) => sum + (this.store.layerSize(layer.chainId) ?? 0), 0);
    const tags =
      reference.tag !== undefined && reference.digest === undefined ? [`${repositoryName(reference)}:${reference.tag}`] : [];
    if (reference.tag !== undefined && reference.digest !== undefined) tags.push(`${repositoryName(reference)}:${reference.tag}`);
    const digests = [`${repositoryName(reference)}@${resolved.digest}`];
    const before = tags[0] === undefined ? this.store.getByReference(digests[0] as string) : this.store.getByReference(tags[0]);
    const image = this.store.commit({ id: imageId, config, chainIds: chain, size }, { tags, digests });

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

  async get(nameOrId: string): Promise<Image> {
    const image = await this.find(nameOrId);
    if (!image) throw notFound(`No such image: ${nameOrId}`);
    return image;
  }

  async list(): Promise<Image[]> {
    return this.store.list();
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
    if (await this.snapshotter.hasCommitted(layer.chainId)) return this.store.layerSize(layer.chainId) ?? 0;
    const digest = layer.descriptor.digest;
    const head = await readHead(await this.content.createReadStream(digest));
    const total = layer.descriptor.size;
    const throttle = this.throttled(emit);
    const counter = new ByteCounter((current) =>
      throttle(layer.shortId, current >= total, {
        status: 'Extracting',
        progressDetail: { current, total },
        progress: renderProgress(current, total),
        id: layer.shortId,
      }),
    );
    const verifier = new DigestVerifier(
      layer.diffId,
      (actual) => `layer ${digest}: uncompressed content has digest ${actual}, expected diff ID ${layer.diffId}`,
    );
    const tar = new PassThrough();
    const feeding = pipeline(
      await this.content.createReadStream(digest),
      counter,
      decompressorFor(head),
      verifier,
      tar,
      signal ? { signal } : {},
    );
    const applying = this.snapshotter.applyLayer(layer.chainId, layer.parent, tar, signal);
    try {
      const [, { size }] = await Promise.all([feeding, applying]);
      this.store.recordLayerSize(layer.chainId, size);
      return size;
    } catch (error) {
      tar.destroy();
      await Promise.allSettled([feeding, applying]);
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
