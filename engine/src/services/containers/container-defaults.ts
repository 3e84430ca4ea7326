import { invalidArgument } from '@berth/common';
import type { ContainerConfig, HostConfig } from '../../core/containers/container.js';
import type { ImageContainerConfig } from '../../core/images/image-config.js';
import { mergeHealthcheck } from '../health/healthcheck-config.js';
import { dockerMaskedPaths, dockerReadonlyPaths } from './oci-spec-builder.js';

/**
 * Merges the image's defaults into the client's container config, as dockerd does: the
 * client's Entrypoint replaces the image's (and then the image Cmd is dropped unless the client
 * gave one), environment variables from the image are kept unless the client overrides them.
 */
export function mergeImageDefaults(config: ContainerConfig, image: ImageContainerConfig | undefined): ContainerConfig {
  const merged: ContainerConfig = { ...config };
  const imageConfig = image ?? {};
  const clientEntrypoint = config.Entrypoint !== undefined && config.Entrypoint !== null;
  const clientCmd = config.Cmd !== undefined && config.Cmd !== null && config.Cmd.length > 0;
  merged.Entrypoint = clientEntrypoint ? (config.Entrypoint ?? null) : (imageConfig.Entrypoint ?? null);
  if (clientCmd) merged.Cmd = config.Cmd ?? null;
  else merged.Cmd = clientEntrypoint ? null : (imageConfig.Cmd ?? null);
  // `--entrypoint ""` clears it; Docker stores that as an empty list, treated as absent.
  if (Array.isArray(merged.Entrypoint) && merged.Entrypoint.length === 1 && merged.Entrypoint[0] === '') merged.Entrypoint = null;
  // Empty lists and maps read back as dockerd's merge leaves them: null, or no ExposedPorts at all.
  const env = mergeEnv(imageConfig.Env ?? [], config.Env ?? []);
  merged.Env = env.length > 0 ? env : null;
  if (merged.WorkingDir === undefined || merged.WorkingDir === '') merged.WorkingDir = imageConfig.WorkingDir ?? '';
  if (merged.User === undefined || merged.User === '') merged.User = imageConfig.User ?? '';
  if (merged.StopSignal === undefined || merged.StopSignal === '') {
    if (imageConfig.StopSignal !== undefined) merged.StopSignal = imageConfig.StopSignal;
  }
  merged.Labels = { ...(imageConfig.Labels ?? {}), ...(config.Labels ?? {}) };
  const exposedPorts = { ...(imageConfig.ExposedPorts ?? {}), ...(config.ExposedPorts ?? {}) };
  if (Object.keys(exposedPorts).length > 0) merged.ExposedPorts = exposedPorts;
  else delete merged.ExposedPorts;
  const volumes = { ...(imageConfig.Volumes ?? {}), ...(config.Volumes ?? {}) };
  merged.Volumes = Object.keys(volumes).length > 0 ? volumes : null;
  const healthcheck = mergeHealthcheck(config['Healthcheck'], imageConfig.Healthcheck);
  if (healthcheck !== undefined) merged.Healthcheck = healthcheck;
  return merged;
}

/** Image env first, client env overriding by name (the spec builder adds PATH when neither sets it). */
export function mergeEnv(imageEnv: readonly string[], clientEnv: readonly string[]): string[] {
  const byName = new Map<string, string>();
  for (const entry of [...imageEnv, ...clientEnv]) {
    const name = entry.split('=', 1)[0] ?? entry;
    // A bare `NAME` (from `-e NAME` with NAME unset in the client) is kept as dockerd keeps it.
    byName.set(name, entry);
  }
  return [...byName.values()];
}

/** The command to run: Entrypoint + Cmd. Docker refuses to create a container with neither. */
export function commandLine(config: ContainerConfig): { path: string; args: string[] } {
  const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const [path, ...args] = command;
  if (path === undefined) throw invalidArgument('No command specified');
  return { path, args };
}

/** Docker container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, given with or without the leading slash. */
export function validateContainerName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(bare))
    throw invalidArgument(`Invalid container name (${bare}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return bare;
}

/**
 * HostConfig as dockerd stores and echoes it in inspect: the client's values with dockerd's
 * defaults for what the client left empty (Docker's own inspect shows these exact values).
 */
export function withDockerHostDefaults(hostConfig: HostConfig, cgroupVersion: 1 | 2): HostConfig {
  const emptyString = (value: unknown): boolean => value === undefined || value === null || value === '';
  const result: HostConfig = {
    Binds: null,
    ContainerIDFile: '',
    PortBindings: {},
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    CapAdd: null,
    CapDrop: null,
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ConsoleSize: [0, 0],
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    KernelMemory: 0,
    KernelMemoryTCP: 0,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: null,
    ReadonlyPaths: null,
    ...hostConfig,
  };
  // dockerd stores its default lists, so inspect shows what is masked; privileged masks nothing.
  if (hostConfig.Privileged !== true) {
    if (!Array.isArray(result['MaskedPaths'])) result['MaskedPaths'] = [...dockerMaskedPaths];
    if (!Array.isArray(result['ReadonlyPaths'])) result['ReadonlyPaths'] = [...dockerReadonlyPaths];
  }
  // The CLI sends -1 for "not set"; dockerd stores and shows it as null.
  if (result.MemorySwappiness === -1) result.MemorySwappiness = null;
  const networkMode = hostConfig.NetworkMode;
  // dockerd keeps `default` (the CLI's value without --network), which means the bridge network.
  result.NetworkMode = networkMode === undefined || networkMode === '' ? 'default' : networkMode;
  // The CLI sends `Type: ""` with the --log-opt values in Config: keep them (log rotation reads max-size/max-file).
  result.LogConfig = { Type: hostConfig.LogConfig?.Type || 'json-file', Config: hostConfig.LogConfig?.Config ?? {} };
  result.ShmSize = hostConfig.ShmSize !== undefined && hostConfig.ShmSize > 0 ? hostConfig.ShmSize : 67_108_864;
  result.RestartPolicy = {
    Name:
      hostConfig.RestartPolicy?.Name !== undefined && hostConfig.RestartPolicy.Name !== '' ? hostConfig.RestartPolicy.Name : 'no',
    MaximumRetryCount: hostConfig.RestartPolicy?.MaximumRetryCount ?? 0,
  };
  result['Runtime'] = emptyString(hostConfig['Runtime']) ? 'runc' : hostConfig['Runtime'];
  result['IpcMode'] = emptyString(hostConfig['IpcMode']) ? 'private' : hostConfig['IpcMode'];
  result['CgroupnsMode'] = emptyString(hostConfig['CgroupnsMode'])
    ? cgroupVersion === 2
      ? 'private'
      : 'host'
    : hostConfig['CgroupnsMode'];
  if (hostConfig['Init'] === null) delete result['Init'];
  // A Memory limit of 0 with PidsLimit 0 from old clients both mean "unlimited".
  if (result['PidsLimit'] === 0) result['PidsLimit'] = null;
  return result;
}
