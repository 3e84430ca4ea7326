import { notFound, parseImageReference, repositoryName } from '@berth/common';
import type { ContentStore } from '../../core/content/content-store.js';
import type { Image } from '../../core/images/image.js';
import type { ImageConfig, ImageContainerConfig } from '../../core/images/image-config.js';
import type { CommitRequest } from '../../core/images/image-service.js';
import type { ImageContentRef, ImageStore } from '../../core/images/image-store.js';
import type { Snapshotter } from '../../core/snapshots/snapshotter.js';
import { chainIds, type Digest } from '../../lib/digest.js';
import type { Logger } from '../../lib/logger.js';
import type { ContentLeases } from './content-leases.js';
import { applyDockerfileChanges } from './dockerfile-changes.js';
import type { LayerBlobs } from './layer-blobs.js';

/** Container settings that are image defaults (the rest of a container's Config is per container). */
const imageConfigKeys = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'Healthcheck',
  'OnBuild',
  'Shell',
] as const;

export interface ImageCommitterOptions {
  content: ContentStore;
  store: ImageStore;
  snapshotter: Snapshotter;
  layers: LayerBlobs;
  leases: ContentLeases;
  logger: Logger;
}

/**
 * dockerd's commit: the writable layer's diff (empty → no new layer, an `empty_layer` history entry),
 * a config derived from the parent image with the container's settings and `changes`, unpacked as a
 * committed snapshot, then stored and tagged.
 */
export async function commitImage(options: ImageCommitterOptions, request: CommitRequest): Promise<Image> {
  const { content, store, snapshotter, layers, leases } = options;
  const parent = store.get(request.imageId);
  if (!parent) throw notFound(`No such image: ${request.imageId}`);
  const lease = leases.lease();
  try {
    const diff = await snapshotter.diff(request.snapshotKey, request.signal);
    const blob = await layers.storeTar(diff.tar, request.signal);
    lease.add(blob.digest);
    const emptyLayer = diff.entries() === 0;
    const diffIds = [...parent.config.rootfs.diff_ids, ...(emptyLayer ? [] : [blob.diffId])];
    const chain = chainIds(diffIds);
    lease.add(...chain);
    if (emptyLayer) {
      await content.delete(blob.digest);
    } else {
      await layers.unpack(
        { chainId: chain.at(-1) as Digest, parent: parent.chainIds.at(-1), digest: blob.digest, diffId: blob.diffId },
        request.signal,
      );
    }

    const created = new Date().toISOString();
    const containerDefaults: ImageContainerConfig = {};
    for (const key of imageConfigKeys) {
      const value = request.containerConfig[key];
      if (value !== undefined) (containerDefaults as Record<string, unknown>)[key] = value;
    }
    const config: ImageConfig = {
      ...parent.config,
      created,
      container: request.containerId,
      container_config: request.containerConfig,
      config: applyDockerfileChanges(containerDefaults, request.changes ?? []),
      docker_version: '20.10.0',
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        ...(parent.config.history ?? []),
        {
          created,
          created_by: (request.containerConfig.Cmd ?? []).join(' '),
          ...(request.author ? { author: request.author } : {}),
          ...(request.comment ? { comment: request.comment } : {}),
          ...(emptyLayer ? { empty_layer: true } : {}),
        },
      ],
    };
    delete config.author;
    delete config.comment;
    if (request.author) config.author = request.author;
    if (request.comment) config.comment = request.comment;
    const configInfo = await content.writeBlob(Buffer.from(JSON.stringify(config)));
    lease.add(configInfo.digest);

    const layerRefs: ImageContentRef[] = store.content(parent.id).filter((ref) => ref.kind === 'layer');
    if (!emptyLayer) layerRefs.push({ digest: blob.digest, kind: 'layer' });
    const size = chain.reduce((sum, chainId) => sum + (store.layerSize(chainId) ?? 0), 0);
    const tags = request.reference ? [tagName(request.reference)] : [];
    const image = store.commit(
      {
        id: configInfo.digest,
        config,
        chainIds: chain,
        size,
        content: [{ digest: configInfo.digest, kind: 'config' }, ...layerRefs],
      },
      { tags, digests: [] },
    );
    options.logger.info({ container: request.containerId, image: image.id, tags }, 'container committed');
    return image;
  } finally {
    lease.release();
  }
}

/** `repo[:tag]` → the fully-qualified tag name (`latest` by default). */
export function tagName(reference: string): string {
  const parsed = parseImageReference(reference);
  return `${repositoryName(parsed)}:${parsed.tag ?? 'latest'}`;
}
