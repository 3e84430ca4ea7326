import { invalidArgument } from '@berth/common';
import type { HostConfig } from '../../core/containers/container.js';
import type { OciLinuxResources } from '../../core/runtime/oci-spec.js';

/** dockerd's linuxMinMemory: the kernel needs some room for the cgroup's own bookkeeping. */
export const minimumMemory = 6 * 1024 * 1024;

/** The resource fields of HostConfig (also the body of `POST /containers/{id}/update`). */
export interface ResourceFields {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  MemorySwappiness?: number | null;
  KernelMemory?: number;
  OomKillDisable?: boolean | null;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  BlkioWeight?: number;
}

/** What the host offers, for validation (the CPUs a container may be given). */
export interface HostResources {
  cpuCount: number;
  /** False when the kernel has no swap accounting: swap limits are dropped with a warning, as dockerd does. */
  swapLimit: boolean;
}

const resourceKeys = [
  'Memory',
  'MemorySwap',
  'MemoryReservation',
  'MemorySwappiness',
  'KernelMemory',
  'OomKillDisable',
  'NanoCpus',
  'CpuShares',
  'CpuPeriod',
  'CpuQuota',
  'CpusetCpus',
  'CpusetMems',
  'PidsLimit',
  'BlkioWeight',
] as const satisfies readonly (keyof ResourceFields)[];

/** Only the resource fields of a HostConfig or update body, type-checked. */
export function pickResources(source: Record<string, unknown>): ResourceFields {
  const picked: Record<string, unknown> = {};
  for (const key of resourceKeys) {
    const value = source[key];
    if (value === undefined) continue;
    const expected = key === 'CpusetCpus' || key === 'CpusetMems' ? 'string' : key === 'OomKillDisable' ? 'boolean' : 'number';
    if (value !== null && typeof value !== expected) throw invalidArgument(`invalid ${key}: expected a ${expected}`);
    if (expected === 'number' && value !== null && !Number.isInteger(value))
      throw invalidArgument(`invalid ${key}: not an integer`);
    picked[key] = value;
  }
  return picked as ResourceFields;
}

/**
 * dockerd's verifyPlatformContainerResources: the same checks, messages and order, so a request
 * Docker refuses is refused here with the words the user would see from Docker.
 */
export function validateResources(resources: ResourceFields, host: HostResources): void {
  const memory = resources.Memory ?? 0;
  const swap = resources.MemorySwap ?? 0;
  const reservation = resources.MemoryReservation ?? 0;
  if (memory !== 0 && memory < minimumMemory) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (memory < 0) throw invalidArgument('Invalid memory limit: must be a positive number');
  if (swap > 0 && memory === 0)
    throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (memory > 0 && swap > 0 && swap < memory)
    throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  const swappiness = resources.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && (swappiness < -1 || swappiness > 100))
    throw invalidArgument(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  if (reservation !== 0 && reservation < minimumMemory) throw invalidArgument('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation)
    throw invalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  const nanoCpus = resources.NanoCpus ?? 0;
  if (nanoCpus > 0 && (resources.CpuPeriod ?? 0) > 0)
    throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nanoCpus > 0 && (resources.CpuQuota ?? 0) > 0)
    throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nanoCpus < 0 || nanoCpus > host.cpuCount * 1e9)
    throw invalidArgument(`Range of CPUs is from 0.01 to ${host.cpuCount}.00, as there are only ${host.cpuCount} CPUs available`);
  const period = resources.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000))
    throw invalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  const quota = resources.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if ((resources.CpuShares ?? 0) < 0) throw invalidArgument('Invalid CPU shares: must be a positive number');
  const cpuset = resources.CpusetCpus ?? '';
  if (cpuset !== '') {
    const cpus = parseCpuList(cpuset);
    if (cpus === undefined) throw invalidArgument(`Invalid value ${cpuset} for cpuset cpus`);
    if (cpus.some((cpu) => cpu >= host.cpuCount))
      throw invalidArgument(`Requested CPUs are not available - requested ${cpuset}, available: 0-${host.cpuCount - 1}`);
  }
  const mems = resources.CpusetMems ?? '';
  if (mems !== '' && parseCpuList(mems) === undefined) throw invalidArgument(`Invalid value ${mems} for cpuset mems`);
  const weight = resources.BlkioWeight ?? 0;
  if (weight > 0 && (weight < 10 || weight > 1000)) throw invalidArgument('Range of blkio weight is from 10 to 1000');
}

/** Linux CPU lists (`0-2,4`); undefined when malformed. */
export function parseCpuList(value: string): number[] | undefined {
  const cpus: number[] = [];
  for (const part of value.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null) return undefined;
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first) return undefined;
    for (let cpu = first; cpu <= last; cpu += 1) cpus.push(cpu);
  }
  return cpus;
}

/**
 * dockerd's adaptContainerSettings for resources: the values it stores and shows in inspect.
 * A memory limit without a swap limit gets swap = 2 × memory; CPU shares are clamped to the
 * kernel's range; a non-positive pids limit means unlimited (null).
 */
export function adaptResources(resources: ResourceFields, host: HostResources): ResourceFields {
  const adapted: ResourceFields = { ...resources };
  const memory = adapted.Memory ?? 0;
  if (memory > 0 && (adapted.MemorySwap ?? 0) === 0 && host.swapLimit) adapted.MemorySwap = memory * 2;
  if (!host.swapLimit && adapted.MemorySwap !== undefined && adapted.MemorySwap !== 0) adapted.MemorySwap = -1;
  const shares = adapted.CpuShares ?? 0;
  if (shares > 0 && shares < 2) adapted.CpuShares = 2;
  if (shares > 262_144) adapted.CpuShares = 262_144;
  if (adapted.PidsLimit !== undefined && adapted.PidsLimit !== null && adapted.PidsLimit <= 0) adapted.PidsLimit = null;
  return adapted;
}

/** HostConfig resources as the OCI runtime takes them (moby's getMemoryResources/getCPUResources). */
export function toOciResources(resources: ResourceFields): Omit<OciLinuxResources, 'devices'> {
  const oci: Omit<OciLinuxResources, 'devices'> = {};
  const memory: NonNullable<OciLinuxResources['memory']> = {};
  if ((resources.Memory ?? 0) > 0) memory.limit = resources.Memory ?? 0;
  if ((resources.MemoryReservation ?? 0) > 0) memory.reservation = resources.MemoryReservation ?? 0;
  if ((resources.MemorySwap ?? 0) !== 0) memory.swap = resources.MemorySwap ?? 0;
  const swappiness = resources.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness >= 0) memory.swappiness = swappiness;
  if (resources.OomKillDisable === true) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) oci.memory = memory;

  const cpu: NonNullable<OciLinuxResources['cpu']> = {};
  if ((resources.CpuShares ?? 0) > 0) cpu.shares = resources.CpuShares ?? 0;
  const nanoCpus = resources.NanoCpus ?? 0;
  if (nanoCpus > 0) {
    // Docker's --cpus: a 100 ms CFS period and the matching quota.
    cpu.period = 100_000;
    cpu.quota = Math.round((nanoCpus * 100_000) / 1e9);
  } else {
    if ((resources.CpuPeriod ?? 0) > 0) cpu.period = resources.CpuPeriod ?? 0;
    if ((resources.CpuQuota ?? 0) !== 0) cpu.quota = resources.CpuQuota ?? 0;
  }
  if ((resources.CpusetCpus ?? '') !== '') cpu.cpus = resources.CpusetCpus ?? '';
  if ((resources.CpusetMems ?? '') !== '') cpu.mems = resources.CpusetMems ?? '';
  if (Object.keys(cpu).length > 0) oci.cpu = cpu;

  const pids = resources.PidsLimit;
  if (pids !== undefined && pids !== null && pids > 0) oci.pids = { limit: pids };
  if ((resources.BlkioWeight ?? 0) > 0) oci.blockIO = { weight: resources.BlkioWeight ?? 0 };
  return oci;
}

/**
 * The resources to hand `runc update` after `docker update`: every changed value, and explicit
 * "no limit" values (-1 / 0) for the ones cleared, since runc leaves unspecified fields alone.
 */
export function toOciUpdate(resources: ResourceFields): Omit<OciLinuxResources, 'devices'> {
  const oci = toOciResources(resources);
  const pids = resources.PidsLimit;
  if (pids !== undefined && (pids === null || pids <= 0)) oci.pids = { limit: -1 };
  return oci;
}

/** HostConfig with the given resource values written in. */
export function withResources(hostConfig: HostConfig, resources: ResourceFields): HostConfig {
  return { ...hostConfig, ...resources };
}
