import type { Digest } from '../../lib/digest.js';
import type { ImageConfig } from './image-config.js';

/** An image as the engine knows it: a config plus the references that name it. */
export interface Image {
  /** sha256 digest of the config blob (Docker's image ID). */
  id: Digest;
  config: ImageConfig;
  /** Fully-qualified `registry/repo:tag` names, e.g. `docker.io/library/busybox:latest`. */
  repoTags: string[];
  /** `registry/repo@sha256:...` names for the manifests this image was pulled or pushed as. */
  repoDigests: string[];
  /** Chain IDs of the layers, bottom first; the last one is the snapshot a container is prepared from. */
  chainIds: Digest[];
  /** Sum of the uncompressed layer sizes, in bytes. */
  size: number;
  /** When the image was first stored here (ms since epoch). */
  storedAt: number;
}
