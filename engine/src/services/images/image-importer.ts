import { Readable } from 'node:stream';
import type { ContentStore } from '../../core/content/content-store.js';
import type { Image } from '../../core/images/image.js';
import type { ImageConfig } from '../../core/images/image-config.js';
import type { ImportRequest } from '../../core/images/image-service.js';
import type { ImageStore } from '../../core/images/image-store.js';
import { invalidArgument } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import type { ContentLeases } from './content-leases.js';
import { applyDockerfileChanges } from './dockerfile-changes.js';
import { tagName } from './image-committer.js';
import type { LayerBlobs } from './layer-blobs.js';
import { decompressorFor } from './layer-streams.js';

export interface ImageImporterOptions {
  content: ContentStore;
  store: ImageStore;
  layers: LayerBlobs;
  leases: ContentLeases;
  logger: Logger;
}

/** dockerd's `POST /images/create?fromSrc=-`: the body (a plain or gzip/zstd tar) is the only layer. */
export async function importImage(options: ImageImporterOptions, request: ImportRequest): Promise<Image> {
  const { content, store, layers, leases } = options;
  const [os = 'linux', architecture = 'amd64', variant] = (request.platform ?? 'linux/amd64').split('/');
  if (os !== 'linux') throw invalidArgument(`operating system is not supported: ${os}`);
  const lease = leases.lease();
  try {
    const { head, stream } = await peek(request.archive);
    const tar = stream.pipe(decompressorFor(head));
    stream.on('error', (error) => tar.destroy(error));
    const blob = await layers.storeTar(tar, request.signal);
    lease.add(blob.digest);
    const created = new Date().toISOString();
    const comment = request.message ?? 'Imported from -';
    const config: ImageConfig = {
      architecture,
      os,
      ...(variant ? { variant } : {}),
      created,
      comment,
      docker_version: '20.10.0',
      config: applyDockerfileChanges({}, request.changes ?? []),
      rootfs: { type: 'layers', diff_ids: [blob.diffId] },
      history: [{ created, comment }],
    };
    const configInfo = await content.writeBlob(Buffer.from(JSON.stringify(config)));
    lease.add(configInfo.digest, blob.diffId);
    await layers.unpack({ chainId: blob.diffId, parent: undefined, digest: blob.digest, diffId: blob.diffId }, request.signal);
    const size = store.layerSize(blob.diffId) ?? 0;
    const image = store.commit(
      {
        id: configInfo.digest,
        config,
        chainIds: [blob.diffId],
        size,
        content: [
          { digest: configInfo.digest, kind: 'config' },
          { digest: blob.digest, kind: 'layer' },
        ],
      },
      { tags: request.reference ? [tagName(request.reference)] : [], digests: [] },
    );
    options.logger.info({ image: image.id }, 'image imported');
    return image;
  } finally {
    lease.release();
  }
}

/** The first chunk of a stream (to sniff its compression) and a stream that still yields everything. */
export async function peek(stream: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  const head = first.done === true ? Buffer.alloc(0) : Buffer.from(first.value);
  const rest = async function* (): AsyncGenerator<Buffer, void, undefined> {
    if (first.done === true) return;
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  };
  return { head, stream: Readable.from(rest(), { objectMode: false }) };
}
