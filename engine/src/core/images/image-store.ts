import type { Digest } from '../../lib/digest.js';
import type { Image } from './image.js';
import type { ImageConfig } from './image-config.js';

/** What an image holds in the content store, so that removal knows what it may collect. */
export type ImageContentKind = 'index' | 'manifest' | 'config' | 'layer';

export interface ImageContentRef {
  digest: Digest;
  kind: ImageContentKind;
}

/** What a pull (or load/commit) hands the store once everything is verified and unpacked. */
export interface ImageRecord {
  id: Digest;
  config: ImageConfig;
  chainIds: Digest[];
  size: number;
  /** Blobs this image keeps alive (manifest, config, compressed layers). */
  content: ImageContentRef[];
}

/** A compressed (or plain) blob whose uncompressed tar has digest `diffId`: what push uploads for that layer. */
export interface LayerBlob {
  diffId: Digest;
  digest: Digest;
  mediaType: string;
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
  /** Points a fully-qualified name at an existing image, moving it from any other image. */
  addReference(id: Digest, name: string, kind: 'tag' | 'digest'): void;
  /** Removes one name; false when it did not exist. */
  removeReference(name: string): boolean;
  /** Deletes the image record, its names and its content list. */
  delete(id: Digest): void;
  /** Blobs an image keeps alive. */
  content(id: Digest): ImageContentRef[];
  /** Every blob some image keeps alive. */
  referencedContent(): Set<Digest>;
  /** Uncompressed size recorded for a layer (by chain ID) when it was unpacked. */
  layerSize(chainId: Digest): number | undefined;
  recordLayerSize(chainId: Digest, size: number): void;
  forgetLayerSize(chainId: Digest): void;
  /** Blobs known to hold the layer with this diff ID (the diff-id → compressed digest cache). */
  layerBlobs(diffId: Digest): LayerBlob[];
  recordLayerBlob(blob: LayerBlob): void;
  /** Repositories (`registry/path`) known to hold a blob: candidates for a cross-repository mount. */
  blobLocations(digest: Digest): string[];
  recordBlobLocation(digest: Digest, repository: string): void;
}
