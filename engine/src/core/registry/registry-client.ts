import type { Readable } from 'node:stream';
import type { ImageReference } from '@berth/common';
import type { Digest } from '../../lib/digest.js';
import type { RegistryCredentials } from '../images/image-service.js';

export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

/** Docker schema2 or OCI image manifest (after validation). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** A manifest as the registry served it: exact bytes and their verified digest. */
export interface FetchedManifest {
  digest: Digest;
  mediaType: string;
  bytes: Buffer;
}

/** The platform-specific image manifest a reference resolves to. */
export interface ResolvedImage {
  /** Digest to record in RepoDigests: the index/list digest when the tag named one, else the manifest's. */
  digest: Digest;
  /** The image manifest actually pulled (== digest unless an index was resolved). */
  manifest: FetchedManifest;
  parsed: ImageManifest;
  /** The index the manifest was chosen from, when there was one. */
  index?: FetchedManifest;
}

export interface RegistryRequestOptions {
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
}

export interface BlobResponse {
  body: Readable;
  /** Where `body` starts: the requested offset when the server honoured Range, else 0. */
  offset: number;
  /** Total blob size if the server said. */
  total?: number;
}

export interface UploadOptions extends RegistryRequestOptions {
  /** Bytes per `PATCH` (Content-Range chunks); undefined uploads monolithically in one `PUT`. */
  chunkSize?: number;
  /** Bytes sent so far. */
  onProgress?: (sent: number) => void;
}

/** A client for the OCI distribution API (Docker Registry v2). One attempt per call: callers own retry policy. */
export interface RegistryClient {
  /** `GET /v2/` on the registry (through the chosen endpoint); throws unavailable naming the registry. */
  ping(registry: string, options?: RegistryRequestOptions): Promise<void>;
  /** Fetches a manifest or index by tag or digest, verifying its digest. Rejects schema1. */
  fetchManifest(reference: ImageReference, tagOrDigest: string, options?: RegistryRequestOptions): Promise<FetchedManifest>;
  /** Resolves a reference to one platform's image manifest (`os/arch[/variant]`, default linux/amd64). */
  resolve(reference: ImageReference, options?: RegistryRequestOptions & { platform?: string }): Promise<ResolvedImage>;
  /** Opens a blob; `offset` > 0 asks for `Range: bytes=<offset>-`. */
  fetchBlob(
    reference: ImageReference,
    descriptor: Descriptor,
    options?: RegistryRequestOptions & { offset?: number },
  ): Promise<BlobResponse>;
  /** `docker login`: checks credentials against the registry's `/v2/` (Basic or a Bearer token); throws unauthorized. */
  login(registry: string, credentials: RegistryCredentials, options?: { signal?: AbortSignal }): Promise<void>;
  /** `HEAD /v2/<name>/blobs/<digest>`: true when the repository already has the blob. */
  blobExists(reference: ImageReference, digest: Digest, options?: RegistryRequestOptions): Promise<boolean>;
  /** Cross-repository mount from `fromRepository` (path inside the same registry); false when the registry declined. */
  mountBlob(
    reference: ImageReference,
    digest: Digest,
    fromRepository: string,
    options?: RegistryRequestOptions,
  ): Promise<boolean>;
  /** Uploads a blob (`open` may be called again when the upload restarts); the registry verifies its digest. */
  uploadBlob(
    reference: ImageReference,
    descriptor: Descriptor,
    open: () => Promise<Readable>,
    options?: UploadOptions,
  ): Promise<void>;
  /** `PUT /v2/<name>/manifests/<tag>`; returns the digest of the bytes sent. */
  putManifest(
    reference: ImageReference,
    tagOrDigest: string,
    bytes: Buffer,
    mediaType: string,
    options?: RegistryRequestOptions,
  ): Promise<Digest>;
}
