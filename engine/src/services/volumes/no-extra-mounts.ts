import { invalidArgument } from '@berth/common';
import type { Container } from '../../core/containers/container.js';
import type { ContainerMounts, PreparedMounts } from '../../core/volumes/container-mounts.js';

/** Until volumes exist: containers get no extra mounts, and asking for one is a clear error. */
export class NoExtraMounts implements ContainerMounts {
  async prepare(container: Container): Promise<PreparedMounts> {
    const { Binds, Mounts, Tmpfs } = container.hostConfig as {
      Binds?: unknown[] | null;
      Mounts?: unknown[] | null;
      Tmpfs?: object | null;
    };
    if ((Binds?.length ?? 0) > 0 || (Mounts?.length ?? 0) > 0 || Object.keys(Tmpfs ?? {}).length > 0)
      throw invalidArgument('volumes, bind mounts and tmpfs mounts are not supported yet');
    return { mounts: [], mountPoints: [] };
  }

  async release(): Promise<void> {
    // Nothing was prepared.
  }
}
