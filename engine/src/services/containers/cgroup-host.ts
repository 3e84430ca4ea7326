import { pathExists } from '../../lib/path-exists.js';
import { availableParallelism } from 'node:os';
import type { HostResources } from './resources.js';

export type CgroupVersion = 1 | 2;

export interface CgroupHost extends HostResources {
  version: CgroupVersion;
}

/**
 * What the host's cgroup hierarchy offers, read once from /sys/fs/cgroup: a unified (v2) host has
 * cgroup.controllers at the root; swap limits need memsw (v1) or memory.swap.max (v2) files.
 * runc takes the same OCI resources on both and writes the right files itself.
 */
export async function detectCgroupHost(root = '/sys/fs/cgroup'): Promise<CgroupHost> {
  const version: CgroupVersion = (await pathExists(`${root}/cgroup.controllers`)) ? 2 : 1;
  const swapLimit =
    version === 1
      ? await pathExists(`${root}/memory/memory.memsw.limit_in_bytes`)
      : (await pathExists(`${root}/system.slice/memory.swap.max`)) || (await pathExists(`${root}/init.scope/memory.swap.max`));
  return { version, swapLimit, cpuCount: availableParallelism() };
}
