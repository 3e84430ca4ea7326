import { readFile, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { pathExists } from '../../lib/path-exists.js';
import type { HostResources } from './resources.js';

export type CgroupVersion = 1 | 2;

export interface CgroupHost extends HostResources {
  version: CgroupVersion;
  /** v1's kernel memory accounting (`docker info` KernelMemory/KernelMemoryTCP); v2 has none to set. */
  kernelMemory: boolean;
  kernelMemoryTcp: boolean;
}

export interface CgroupHostPaths {
  cgroupRoot: string;
  procRoot: string;
}

const hostPaths: CgroupHostPaths = { cgroupRoot: '/sys/fs/cgroup', procRoot: '/proc' };

/**
 * What the host's cgroup hierarchy offers, read once: a unified (v2) host has cgroup.controllers at
 * the root. Swap limits need swap accounting: memory.memsw.* on v1; on v2, memory.swap.max, which
 * only non-root cgroups have, so a host without any yet (no systemd) is judged as dockerd does,
 * by the memory controller, unless the kernel has no swap or was booted without swap accounting.
 * runc and crun take the same OCI resources on both and write the right files themselves.
 */
export async function detectCgroupHost(paths: CgroupHostPaths = hostPaths): Promise<CgroupHost> {
  const { cgroupRoot } = paths;
  const version: CgroupVersion = (await pathExists(`${cgroupRoot}/cgroup.controllers`)) ? 2 : 1;
  const swapLimit =
    version === 1 ? await pathExists(`${cgroupRoot}/memory/memory.memsw.limit_in_bytes`) : await unifiedSwapLimit(paths);
  const v1Memory = `${cgroupRoot}/memory`;
  const kernelMemory = version === 1 && (await pathExists(`${v1Memory}/memory.kmem.limit_in_bytes`));
  const kernelMemoryTcp = version === 1 && (await pathExists(`${v1Memory}/memory.kmem.tcp.limit_in_bytes`));
  return { version, swapLimit, kernelMemory, kernelMemoryTcp, cpuCount: availableParallelism() };
}

async function unifiedSwapLimit({ cgroupRoot, procRoot }: CgroupHostPaths): Promise<boolean> {
  const controllers = (await readFile(`${cgroupRoot}/cgroup.controllers`, 'utf8').catch(() => '')).split(/\s+/);
  if (!controllers.includes('memory')) return false;
  const children = (await readdir(cgroupRoot, { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory());
  let memoryWithoutSwap = false;
  for (const child of children) {
    if (await pathExists(`${cgroupRoot}/${child.name}/memory.swap.max`)) return true;
    if (await pathExists(`${cgroupRoot}/${child.name}/memory.max`)) memoryWithoutSwap = true;
  }
  if (memoryWithoutSwap) return false;
  if (!(await pathExists(`${procRoot}/swaps`))) return false;
  const cmdline = await readFile(`${procRoot}/cmdline`, 'utf8').catch(() => '');
  return !/(^|\s)(swapaccount=0|cgroup\.memory=\S*nosw)/.test(cmdline);
}
