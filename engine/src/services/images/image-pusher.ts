import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, notFound, parseImageReference, repositoryName, type ImageReference } from '@berth/common';
import type { ContentStore } from '../../core/content/content-store.js';
import type { Image } from '../../core/images/image.js';
import type { ProgressMessage, PushRequest, RegistryCredentials } from '../../core/images/image-service.js';
import type { ImageStore, LayerBlob } from '../../core/images/image-store.js';
import { MediaTypes, type Descriptor, type RegistryClient } from '../../core/registry/registry-client.js';
import { digestHex, type Digest } from '../../lib/digest.js';
import type { Logger } from '../../lib/logger.js';
import { renderProgress } from './progress-bar.js';
import { runLimited } from './run-limited.js';

export interface ImagePusherOptions {
  content: ContentStore;
  registry: RegistryClient;
  store: ImageStore;
  logger: Logger;
  /** Parallel layer uploads (dockerd: 5). */
  maxConcurrentUploads?: number;
  /** Upload in `PATCH` chunks of this many bytes; undefined uploads each blob in one `PUT`. */
  chunkSize?: number;
  /** Attempts per blob for retryable failures (never 401/403). */
  attempts?: number;
  retryDelayMs?: number;
  progressIntervalMs?: number;
}

type Emit = (message: ProgressMessage & { aux?: unknown }) => void;

interface PushContext {
  reference: ImageReference;
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
  emit: Emit;
}

/**
 * Pushes like dockerd: for each layer HEAD first ("Layer already exists"), then a cross-repository
 * mount from a repository of the same registry known to hold the blob ("Mounted from"), else an
 * upload; then the config and the manifest. Layers are pushed as the stored compressed blobs
 * (the diff-id → blob cache), so a pulled image keeps its digests.
 */
export class ImagePusher {
  private readonly maxConcurrentUploads: number;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly progressIntervalMs: number;

  constructor(private readonly options: ImagePusherOptions) {
    this.maxConcurrentUploads = options.maxConcurrentUploads ?? 5;
    this.attempts = options.attempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.progressIntervalMs = options.progressIntervalMs ?? 100;
  }

  async push(request: PushRequest): Promise<void> {
    const emit: Emit = request.onProgress ?? (() => undefined);
    const named = parseImageReference(request.name);
    const repository = repositoryName(named);
    const tags =
      request.tag !== undefined && request.tag !== ''
        ? [request.tag]
        : named.tag !== undefined && /:[^/]+$/.test(request.name)
          ? [named.tag]
          : this.tagsOf(repository);
    const familiar = `${named.registry === 'docker.io' ? 'docker.io/' : `${named.registry}/`}${named.repository}`;
    if (tags.length === 0) throw notFound(`An image does not exist locally with the tag: ${familiar}`);
    emit({ status: `The push refers to repository [${familiar}]` });
    for (const tag of tags) {
      const image = this.options.store.getByReference(`${repository}:${tag}`);
      if (!image) throw notFound(`tag does not exist: ${familiarName(familiar, tag)}`);
      const reference: ImageReference = { registry: named.registry, repository: named.repository, tag };
      await this.pushImage(image, {
        reference,
        emit,
        ...(request.credentials ? { credentials: request.credentials } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    }
  }

  private tagsOf(repository: string): string[] {
    return this.options.store
      .list()
      .flatMap((image) => image.repoTags)
      .filter((name) => name.startsWith(`${repository}:`) && !name.slice(repository.length + 1).includes('/'))
      .map((name) => name.slice(repository.length + 1))
      .sort();
  }

  private async pushImage(image: Image, context: PushContext): Promise<void> {
    const { emit, reference } = context;
    const diffIds = image.config.rootfs.diff_ids;
    const blobs = await Promise.all(diffIds.map((diffId) => this.layerBlob(diffId)));
    const layers = diffIds.map((diffId, i) => ({ diffId, blob: blobs[i] as LayerBlob, shortId: digestHex(diffId).slice(0, 12) }));
    // One line per distinct layer, bottom first, as dockerd.
    const unique = layers.filter((layer, i) => layers.findIndex((other) => other.blob.digest === layer.blob.digest) === i);
    for (const layer of unique) emit({ status: 'Preparing', progressDetail: {}, id: layer.shortId });
    for (const layer of unique.slice(this.maxConcurrentUploads))
      emit({ status: 'Waiting', progressDetail: {}, id: layer.shortId });
    await runLimited(
      unique,
      this.maxConcurrentUploads,
      async (layer) => {
        const outcome = await this.pushBlob(descriptorOf(layer.blob), context, layer.shortId);
        emit({ status: outcome, progressDetail: {}, id: layer.shortId });
      },
      context.signal,
    );
    const configBytes = await this.options.content.readBlob(image.id);
    const configMediaType = MediaTypes.dockerConfig;
    await this.pushBlob({ mediaType: configMediaType, digest: image.id, size: configBytes.length }, context, undefined);
    const manifest = await this.manifestFor(
      image,
      layers.map((layer) => layer.blob),
    );
    const tag = reference.tag ?? 'latest';
    const digest = await this.withRetry(() =>
      this.options.registry.putManifest(reference, tag, manifest.bytes, manifest.mediaType, requestOptions(context)),
    );
    this.options.store.addReference(image.id, `${repositoryName(reference)}@${digest}`, 'digest');
    emit({ status: `${tag}: digest: ${digest} size: ${manifest.bytes.length}` });
    emit({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: manifest.bytes.length } } as ProgressMessage & {
      aux: unknown;
    });
    this.options.logger.info({ reference: `${repositoryName(reference)}:${tag}`, digest }, 'image pushed');
  }

  /** The stored blob for a diff ID (pulled blobs first: they keep the registry's digests). */
  private async layerBlob(diffId: Digest): Promise<LayerBlob> {
    for (const blob of this.options.store.layerBlobs(diffId)) {
      if (await this.options.content.has(blob.digest)) return blob;
    }
    throw new AppError('not-found', `layer ${diffId} has no stored blob to push`);
  }

  /** HEAD, mount, or upload one blob; returns the final status line for layers. */
  private async pushBlob(descriptor: Descriptor, context: PushContext, shortId: string | undefined): Promise<string> {
    const { registry, store } = this.options;
    const { reference } = context;
    const here = repositoryName(reference);
    const options = requestOptions(context);
    if (await this.withRetry(() => registry.blobExists(reference, descriptor.digest, options))) {
      store.recordBlobLocation(descriptor.digest, here);
      return 'Layer already exists';
    }
    const prefix = `${reference.registry}/`;
    for (const source of store.blobLocations(descriptor.digest)) {
      if (source === here || !source.startsWith(prefix)) continue;
      const from = source.slice(prefix.length);
      try {
        if (await registry.mountBlob(reference, descriptor.digest, from, options)) {
          store.recordBlobLocation(descriptor.digest, here);
          return `Mounted from ${from}`;
        }
      } catch (error) {
        if (error instanceof AppError && (error.kind === 'unauthorized' || error.kind === 'forbidden')) throw error;
        this.options.logger.debug({ digest: descriptor.digest, from, err: error }, 'cross-repository mount failed');
      }
    }
    let last = 0;
    await this.withRetry(() =>
      registry.uploadBlob(reference, descriptor, () => this.options.content.createReadStream(descriptor.digest), {
        ...options,
        ...(this.options.chunkSize !== undefined ? { chunkSize: this.options.chunkSize } : {}),
        onProgress: (sent) => {
          if (shortId === undefined) return;
          const now = Date.now();
          if (sent < descriptor.size && now - last < this.progressIntervalMs) return;
          last = now;
          context.emit({
            status: 'Pushing',
            progressDetail: { current: sent, total: descriptor.size },
            progress: renderProgress(sent, descriptor.size),
            id: shortId,
          });
        },
      }),
    );
    store.recordBlobLocation(descriptor.digest, here);
    return 'Pushed';
  }

  /** The manifest the image was pulled with when it still matches its blobs, else a fresh schema2 one. */
  private async manifestFor(image: Image, layers: LayerBlob[]): Promise<{ bytes: Buffer; mediaType: string }> {
    for (const ref of this.options.store.content(image.id)) {
      if (ref.kind !== 'manifest' || !(await this.options.content.has(ref.digest))) continue;
      const bytes = await this.options.content.readBlob(ref.digest);
      const parsed = JSON.parse(bytes.toString('utf8')) as {
        mediaType?: string;
        config?: { digest?: string };
        layers?: { digest?: string }[];
      };
      const sameLayers =
        parsed.layers?.length === layers.length && parsed.layers.every((layer, i) => layer.digest === layers[i]?.digest);
      if (parsed.config?.digest === image.id && sameLayers) {
        return { bytes, mediaType: parsed.mediaType ?? MediaTypes.ociManifest };
      }
    }
    const configBytes = await this.options.content.readBlob(image.id);
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.dockerManifest,
      config: { mediaType: MediaTypes.dockerConfig, size: configBytes.length, digest: image.id },
      layers: layers.map((layer) => ({
        mediaType: dockerLayerMediaType(layer.mediaType),
        size: layer.size,
        digest: layer.digest,
      })),
    };
    return { bytes: Buffer.from(JSON.stringify(manifest, null, 3)), mediaType: MediaTypes.dockerManifest };
  }

  private async withRetry<T>(operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        const retryable = error instanceof AppError && (error as { retryable?: unknown }).retryable === true;
        if (!retryable || attempt >= this.attempts) throw error;
        this.options.logger.warn({ attempt, err: error }, 'push request failed, retrying');
        await sleep(this.retryDelayMs * attempt);
      }
    }
  }
}

function requestOptions(context: PushContext): { credentials?: RegistryCredentials; signal?: AbortSignal } {
  return {
    ...(context.credentials ? { credentials: context.credentials } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  };
}

function descriptorOf(blob: LayerBlob): Descriptor {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
}

/** Schema2 manifests name layers with Docker media types. */
function dockerLayerMediaType(mediaType: string): string {
  if (mediaType === MediaTypes.ociLayerGzip) return MediaTypes.dockerLayerGzip;
  return mediaType;
}

function familiarName(familiarRepository: string, tag: string): string {
  return `${familiarRepository}:${tag}`;
}
