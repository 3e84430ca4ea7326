import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';
import { AppError } from '@berth/common';
import type { ContentStore } from '../../core/content/content-store.js';
import type { ImageStore, LayerBlob } from '../../core/images/image-store.js';
import { MediaTypes } from '../../core/registry/registry-client.js';
import type { Snapshotter } from '../../core/snapshots/snapshotter.js';
import type { Digest } from '../../lib/digest.js';
import { ByteCounter, DigestVerifier, decompressorFor, readHead } from './layer-streams.js';
import { contentSink } from './content-sink.js';
import { DigestTap } from './digest-tap.js';

/**
 * Layers the engine produces itself (commit, load, import): an uncompressed tar is hashed (its diff
 * ID) and gzip-compressed into the content store in one pass, and recorded as the blob push uploads.
 */
export class LayerBlobs {
  constructor(
    private readonly content: ContentStore,
    private readonly store: ImageStore,
    private readonly snapshotter: Snapshotter,
  ) {}

  /** Stores `tar` gzip-compressed; returns the layer's diff ID and compressed blob. */
  async storeTar(tar: Readable, signal?: AbortSignal): Promise<LayerBlob & { tarSize: number }> {
    const diff = new DigestTap();
    const writer = await this.content.writer(`layer-${randomBytes(12).toString('hex')}`);
    try {
      const sink = contentSink(writer);
      await pipeline(tar, diff, createGzip({ level: constants.Z_BEST_SPEED }), sink, signal ? { signal } : {}).catch(
        (error: unknown) => {
          throw sink.writeError ?? error;
        },
      );
      const info = await writer.commit();
      const blob: LayerBlob = {
        diffId: diff.digest(),
        digest: info.digest,
        mediaType: MediaTypes.dockerLayerGzip,
        size: info.size,
      };
      this.store.recordLayerBlob(blob);
      return { ...blob, tarSize: diff.bytes };
    } catch (error) {
      await writer.abort();
      throw noSpace(error);
    }
  }

  /**
   * Unpacks the stored blob `digest` (gzip, zstd or plain) as committed snapshot `chainId`, checking
   * that its uncompressed content hashes to `diffId`; `onCompressedBytes` follows the progress
   * (pull's "Extracting" lines). Returns the unpacked size.
   */
  async unpack(
    layer: { chainId: Digest; parent: Digest | undefined; digest: Digest; diffId: Digest },
    signal?: AbortSignal,
    onCompressedBytes: (bytesRead: number) => void = () => undefined,
  ): Promise<number> {
    if (await this.snapshotter.hasCommitted(layer.chainId)) return this.store.layerSize(layer.chainId) ?? 0;
    const head = await readHead(await this.content.createReadStream(layer.digest));
    const verifier = new DigestVerifier(
      layer.diffId,
      (actual) => `layer ${layer.digest}: uncompressed content has digest ${actual}, expected diff ID ${layer.diffId}`,
    );
    const tar = new PassThrough({ highWaterMark: 8 << 20 });
    const feeding = pipeline(
      await this.content.createReadStream(layer.digest),
      new ByteCounter(onCompressedBytes),
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
      const settled = await Promise.allSettled([feeding, applying]);
      // Both sides fail when one does, and the side that only saw the other go away ("Premature
      // close", "Stream was destroyed") may report first: a full disk, wherever hit, is the cause.
      const full = settled.find((result) => result.status === 'rejected' && isNoSpace(result.reason));
      throw noSpace(full?.status === 'rejected' ? full.reason : error);
    }
  }
}

/** A full disk, raw or already named by a lower layer. */
function isNoSpace(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return true;
  return error instanceof AppError && (error.message.includes('no space left on device') || isNoSpace(error.cause));
}

/** Names a full disk plainly, whatever layer of the stack hit it. */
export function noSpace(error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC' && !(error instanceof AppError)) {
    return new AppError('unavailable', 'no space left on device', { cause: error });
  }
  return error;
}
