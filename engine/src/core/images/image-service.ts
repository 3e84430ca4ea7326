import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import type { Image } from './image.js';
import type { ImageContainerConfig } from './image-config.js';

/** Credentials from `X-Registry-Auth` / `docker login`. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token from a previous login. */
  identityToken?: string;
  /** A bearer token to send as is. */
  registryToken?: string;
}

/** One line of dockerd-style progress (`{"status","id","progressDetail","progress"}`). */
export interface ProgressMessage {
  status: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
}

export interface PullRequest {
  /** What the user typed: `busybox`, `127.0.0.1:5000/busybox:1`, `repo@sha256:...`. */
  reference: string;
  /** `os/arch[/variant]`; defaults to linux/amd64 (the host). */
  platform?: string;
  credentials?: RegistryCredentials;
  onProgress?: (message: ProgressMessage) => void;
  signal?: AbortSignal;
}

export interface PushRequest {
  /** Repository as the user typed it (`127.0.0.1:5000/app`), without tag. */
  name: string;
  /** Tag to push; undefined or empty pushes every tag of the repository (`docker push -a`). */
  tag?: string;
  credentials?: RegistryCredentials;
  onProgress?: (message: ProgressMessage & { aux?: unknown }) => void;
  signal?: AbortSignal;
}

/** One line of `DELETE /images/{name}` (`{"Untagged":…}` or `{"Deleted":…}`). */
export type ImageDeleteItem = { untagged: string } | { deleted: string };

/** One entry of `GET /images/{name}/history`, newest first. */
export interface ImageHistoryItem {
  /** The image ID for the top entry (and for entries that are local images), else `<missing>`. */
  id: string;
  created: number;
  createdBy: string;
  tags: string[];
  size: number;
  comment: string;
}

/** `until`/`label` filters of list and prune, dockerd style (values ORed per key, keys ANDed). */
export type ImageFilters = Map<string, string[]>;

export interface ImagePruneResult {
  deleted: ImageDeleteItem[];
  spaceReclaimed: number;
}

/** Whether containers use an image: answered by the container side, injected by the composition root. */
export interface ImageUsage {
  /** Containers using the image ID, running ones flagged. */
  containersUsing(imageId: string): { id: string; running: boolean }[];
  /** Resolves once removed containers have let go of their writable layers (which sit on image layers). */
  settled?(): Promise<void>;
}

/** `docker commit`: a container's writable layer becomes the top layer of a new image. */
export interface CommitRequest {
  containerId: string;
  /** The container's writable snapshot. */
  snapshotKey: string;
  /** The image the container was created from. */
  imageId: Digest;
  /** The container's Config: it becomes the new image's defaults, then `changes` apply. */
  containerConfig: ImageContainerConfig;
  /** `repo[:tag]` to name the image; none leaves it dangling. */
  reference?: string;
  comment?: string;
  author?: string;
  /** Dockerfile instructions (`CMD ["sh"]`, `ENV A=1`), applied in order. */
  changes?: string[];
  signal?: AbortSignal;
}

/** `docker import`: a root filesystem tarball (plain or gzip) becomes a one-layer image. */
export interface ImportRequest {
  archive: Readable;
  reference?: string;
  changes?: string[];
  /** History comment (dockerd: "Imported from -" when none is given). */
  message?: string;
  /** `os/arch[/variant]`; default linux/amd64. */
  platform?: string;
  signal?: AbortSignal;
}

/** The image side of the engine as the API layer and the container service see it. */
export interface ImageService {
  /** Pulls, verifies, stores and unpacks an image; tags it only when everything succeeded. */
  pull(request: PullRequest): Promise<Image>;
  /** Finds an image by name (normalised), name@digest, full ID, or unambiguous ID prefix. */
  find(nameOrId: string): Promise<Image | undefined>;
  /** Like find(), but throws not-found `No such image: <nameOrId>`. */
  get(nameOrId: string): Promise<Image>;
  list(): Promise<Image[]>;
  /** Images matching `docker images --filter` (dangling, label, reference, before, since, until). */
  filter(filters: ImageFilters): Promise<Image[]>;
  /** Points `target` (`repo[:tag]`) at the image `source` names. */
  tag(source: string, target: string): Promise<void>;
  /** dockerd's ImageDelete: untag, then delete the image and its unreferenced layers and content once no name is left. */
  remove(nameOrId: string, options?: { force?: boolean; noprune?: boolean }): Promise<ImageDeleteItem[]>;
  history(nameOrId: string): Promise<ImageHistoryItem[]>;
  /** Deletes dangling images (or, with `all`, every image no container uses) matching `until`/`label` filters. */
  prune(options: { all: boolean; filters: ImageFilters }): Promise<ImagePruneResult>;
  /** Uploads a local image to its registry, dockerd style (HEAD first, cross-repository mounts). */
  push(request: PushRequest): Promise<void>;
  /** `docker login`: verifies credentials against the registry named by `serverAddress` (host[:port] or URL). */
  login(serverAddress: string, credentials: RegistryCredentials, signal?: AbortSignal): Promise<void>;
  commit(request: CommitRequest): Promise<Image>;
  importImage(request: ImportRequest): Promise<Image>;
  /**
   * `docker save`: a docker-archive tar (dockerd 20.10 layout: `manifest.json`, `repositories`,
   * `<config hex>.json`, `<layer id>/layer.tar`) of the named images with the names given.
   */
  save(names: readonly string[], signal?: AbortSignal): Promise<Readable>;
  /** `docker load` of a docker-archive or OCI image-layout tar; reports `Loaded image: …` lines. */
  load(archive: Readable, options: { onLoaded: (line: string) => void; signal?: AbortSignal }): Promise<Image[]>;
  /** Total bytes of unpacked layers (each counted once) and the number of containers per image. */
  diskUsage(): Promise<{ layersSize: number; images: { image: Image; containers: number; sharedSize: number }[] }>;
}
