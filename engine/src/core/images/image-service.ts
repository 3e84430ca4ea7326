import type { Image } from './image.js';

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

/** The image side of the engine as the API layer and the container service see it. */
export interface ImageService {
  /** Pulls, verifies, stores and unpacks an image; tags it only when everything succeeded. */
  pull(request: PullRequest): Promise<Image>;
  /** Finds an image by name (normalised), name@digest, full ID, or unambiguous ID prefix. */
  find(nameOrId: string): Promise<Image | undefined>;
  /** Like find(), but throws not-found `No such image: <nameOrId>`. */
  get(nameOrId: string): Promise<Image>;
  list(): Promise<Image[]>;
}
