import type { Container } from '../containers/container.js';
import type { OciMount } from '../runtime/oci-spec.js';

/** What a container's task gets mounted besides its root filesystem (binds, volumes, tmpfs). */
export interface PreparedMounts {
  mounts: OciMount[];
  /** Docker's `Mounts` array for inspect and ps, in Docker's shape. */
  mountPoints: Record<string, unknown>[];
}

/**
 * Resolves `HostConfig.Binds`, `HostConfig.Mounts`, `HostConfig.Tmpfs` and image volumes into
 * mounts before a task is created (prepare) and lets go of them after it exited (release).
 */
export interface ContainerMounts {
  prepare(container: Container, rootfs: string, signal?: AbortSignal): Promise<PreparedMounts>;
  release(container: Container): Promise<void>;
  /**
   * The container's record is gone: forget its volumes, and remove its anonymous ones when asked
   * (`docker rm -v`) or when it was created with `--rm`. Named volumes stay.
   */
  containerRemoved?(containerId: string, options: { removeAnonymousVolumes: boolean }): Promise<void>;
}
