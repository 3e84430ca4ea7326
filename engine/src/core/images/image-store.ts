import type { Digest } from '../../lib/digest.js';
import type { Image } from './image.js';
import type { ImageConfig } from './image-config.js';

/** What a pull hands the store once everything is verified and unpacked. */
export interface ImageRecord {
  id: Digest;
  config: ImageConfig;
  chainIds: Digest[];
  size: number;
}

/** Persistent image metadata: images by ID plus the names (tags, repo digests) that point at them. */
export interface ImageStore {
  get(id: Digest): Image | undefined;
  /** Image named by a fully-qualified tag (`docker.io/library/busybox:latest`) or repo digest (`…@sha256:…`). */
  getByReference(name: string): Image | undefined;
  /** Images whose ID (hex, without `sha256:`) starts with `hexPrefix`. */
  findByIdPrefix(hexPrefix: string): Image[];
  list(): Image[];
  /** Atomically stores the image (kept if already present) and points `tags` and `digests` at it, moving them from other images. */
  commit(record: ImageRecord, names: { tags: string[]; digests: string[] }): Image;
  /** Uncompressed size recorded for a layer (by chain ID) when it was unpacked. */
  layerSize(chainId: Digest): number | undefined;
  recordLayerSize(chainId: Digest, size: number): void;
}
