import type { OciLinux, OciLinuxResources, OciMount, OciProcess, OciSeccomp, OciSpec } from '../../core/runtime/oci-spec.js';
import { resolveCapabilities } from './capabilities.js';

export type OciDevice = NonNullable<OciLinux['devices']>[number];
export type OciRlimit = NonNullable<OciProcess['rlimits']>[number];

/**
 * The seccomp filter for the container: `'unconfined'`, a ready OCI section, or a function that
 * builds it from the final capability set (Docker's profile allows some syscalls only with the
 * matching capability, e.g. `ptrace` with CAP_SYS_PTRACE).
 */
export type SeccompInput = 'unconfined' | OciSeccomp | ((capabilities: readonly string[]) => OciSeccomp);

/** Everything the container service decides; the builder adds Docker's fixed defaults. */
export interface OciSpecInput {
  /** Absolute path of the mounted root filesystem. */
  rootfsPath: string;
  /** Entrypoint + Cmd, already resolved. */
  args: string[];
  /** Image env merged with the client's (`NAME=value`). HOSTNAME and TERM are added as dockerd does. */
  env: string[];
  /** Absolute working directory inside the container; '' means `/`. */
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  hostname: string;
  tty: boolean;
  consoleSize?: { rows: number; columns: number };
  readonlyRootfs: boolean;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  noNewPrivileges: boolean;
  seccomp: SeccompInput;
  /** Bind mounts and volumes (e.g. /etc/hosts, /etc/hostname, /etc/resolv.conf); see bindMount(). */
  mounts: OciMount[];
  /** Join this network namespace (`--network container:x`); undefined creates a new one. */
  networkNamespacePath?: string;
  /** `--network host`: no network namespace at all. Wins over networkNamespacePath. */
  hostNetwork?: boolean;
  /** Give the container its own cgroup namespace (Docker's default on cgroup v2 hosts only). */
  privateCgroupNamespace?: boolean;
  /** e.g. `/berth/<id>` (cgroupfs) or `system.slice:berth:<id>` (systemd driver). */
  cgroupsPath: string;
  /** Bytes for /dev/shm; Docker's default is 64 MiB. */
  shmSize: number;
  annotations: Record<string, string>;
  /** `--sysctl` values; they override the two defaults Docker sets for private network namespaces. */
  sysctls?: Record<string, string>;
  /** `--ulimit` values; replace Docker's default of the same type. */
  rlimits?: OciRlimit[];
  /**
   * The engine's own hard RLIMIT_NOFILE (drivers/runtime/host-limits.ts). Docker's default of
   * 1048576 is lowered to it: raising a hard limit needs CAP_SYS_RESOURCE, which an engine in a
   * restricted environment lacks, and runc would then fail every container.
   */
  hostNofileLimit?: number;
  /** Host device nodes for privileged containers (see drivers/runtime/host-devices.ts). */
  hostDevices?: OciDevice[];
  /** `--device` nodes for unprivileged containers, with their device cgroup allow rules. */
  devices?: OciDevice[];
  deviceRules?: NonNullable<OciLinuxResources['devices']>;
  /**
   * The engine's capability bounding set (drivers/runtime/host-limits.ts). Privileged and
   * `--cap-add ALL` get these rather than every capability the kernel knows, so an engine that
   * itself runs with fewer capabilities can still start privileged containers.
   */
  hostCapabilities?: readonly string[];
  /** HostConfig.MaskedPaths / ReadonlyPaths when the client chose them (Docker's lists otherwise). */
  maskedPaths?: readonly string[];
  readonlyPaths?: readonly string[];
  /** Host-specific masked paths, e.g. /sys/devices/system/cpu/cpuN/thermal_throttle. */
  extraMaskedPaths?: string[];
  resources?: Omit<OciLinuxResources, 'devices'>;
  apparmorProfile?: string;
  oomScoreAdj?: number;
}

export const defaultShmSize = 64 * 1024 * 1024;

const defaultPathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** moby daemon/pkg/oci/defaults.go; /proc/interrupts is a 2025 addition there. */
export const dockerMaskedPaths: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const dockerReadonlyPaths: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * The device cgroup rules of Docker's default spec: deny everything, then allow the basic
 * character devices. runc appends its own allowlist (pts, ptmx, full, tun) after these.
 */
const dockerDeviceRules: NonNullable<OciLinuxResources['devices']> = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // /dev/urandom
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // /dev/random
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // /dev/tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // /dev/fuse
];

/** Docker's default open-files limit (what containerd's unit gives dockerd's containers). */
const defaultRlimits: readonly OciRlimit[] = [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }];

/** A bind mount as dockerd writes it: recursive, private propagation, optionally read-only. */
export function bindMount(source: string, destination: string, options: { readonly?: boolean } = {}): OciMount {
  return {
    destination,
    type: 'bind',
    source,
    options: ['rbind', 'rprivate', ...(options.readonly === true ? ['ro'] : [])],
  };
}

export function buildOciSpec(input: OciSpecInput): OciSpec {
  const capabilities = resolveCapabilities(input.capAdd, input.capDrop, input.privileged, input.hostCapabilities);
  const process = buildProcess(input, capabilities);
  const linux = buildLinux(input, capabilities);
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process,
    root: { path: input.rootfsPath, readonly: input.readonlyRootfs },
    hostname: input.hostname,
    mounts: buildMounts(input),
    linux,
  };
  if (Object.keys(input.annotations).length > 0) spec.annotations = { ...input.annotations };
  return spec;
}

function buildProcess(input: OciSpecInput, capabilities: string[]): OciProcess {
  const process: OciProcess = {
    terminal: input.tty,
    user: { uid: input.user.uid, gid: input.user.gid },
    args: [...input.args],
    env: daemonEnvironment(input.env, input.hostname, input.tty),
    cwd: input.cwd === '' ? '/' : input.cwd,
    // No inheritable or ambient set: populating inheritable was CVE-2022-24769.
    capabilities: { bounding: [...capabilities], effective: [...capabilities], permitted: [...capabilities] },
    rlimits: mergeRlimits(input.rlimits ?? [], input.hostNofileLimit),
    noNewPrivileges: input.noNewPrivileges,
  };
  if (input.user.additionalGids.length > 0) process.user.additionalGids = [...input.user.additionalGids];
  if (input.tty && input.consoleSize !== undefined)
    process.consoleSize = { height: input.consoleSize.rows, width: input.consoleSize.columns };
  if (input.apparmorProfile !== undefined && !input.privileged) process.apparmorProfile = input.apparmorProfile;
  if (input.oomScoreAdj !== undefined) process.oomScoreAdj = input.oomScoreAdj;
  return process;
}

/**
 * dockerd's CreateDaemonEnvironment: PATH, HOSTNAME and (with a TTY) TERM=xterm first, then the
 * container's variables replacing those by name or appended in their order.
 */
export function daemonEnvironment(env: readonly string[], hostname: string, tty: boolean): string[] {
  const result = [defaultPathEnv, `HOSTNAME=${hostname}`, ...(tty ? ['TERM=xterm'] : [])];
  const nameOf = (entry: string): string => entry.split('=', 1)[0] ?? entry;
  for (const entry of env) {
    const index = result.findIndex((existing) => nameOf(existing) === nameOf(entry));
    if (index === -1) result.push(entry);
    else result[index] = entry;
  }
  return result;
}

function mergeRlimits(overrides: readonly OciRlimit[], hostNofileLimit: number | undefined): OciRlimit[] {
  const byType = new Map<string, OciRlimit>();
  for (const limit of defaultRlimits) {
    const cap =
      limit.type === 'RLIMIT_NOFILE' && hostNofileLimit !== undefined && hostNofileLimit > 0 ? hostNofileLimit : Infinity;
    byType.set(limit.type, { type: limit.type, hard: Math.min(limit.hard, cap), soft: Math.min(limit.soft, cap) });
  }
  // Explicit --ulimit values are the user's choice: passed as given, runc reports what fails.
  for (const limit of overrides) byType.set(limit.type, { ...limit });
  return [...byType.values()];
}

function buildLinux(input: OciSpecInput, capabilities: string[]): OciLinux {
  const linux: OciLinux = {
    namespaces: buildNamespaces(input),
    cgroupsPath: input.cgroupsPath,
    resources: {
      ...(input.resources ?? {}),
      devices: input.privileged
        ? [{ allow: true, access: 'rwm' }]
        : [...dockerDeviceRules, ...(input.deviceRules ?? [])].map((rule) => ({ ...rule })),
    },
  };
  if (!input.privileged && input.devices !== undefined && input.devices.length > 0)
    linux.devices = input.devices.map((device) => ({ ...device }));
  if (input.privileged) {
    // Privileged is Docker's escape hatch: every host device, no masking, no syscall filter.
    if (input.hostDevices !== undefined && input.hostDevices.length > 0)
      linux.devices = input.hostDevices.map((device) => ({ ...device }));
  } else {
    linux.maskedPaths = [...new Set([...(input.maskedPaths ?? dockerMaskedPaths), ...(input.extraMaskedPaths ?? [])])];
    linux.readonlyPaths = [...(input.readonlyPaths ?? dockerReadonlyPaths)];
    const seccomp = resolveSeccomp(input.seccomp, capabilities);
    if (seccomp !== undefined) linux.seccomp = seccomp;
  }
  const sysctl = buildSysctls(input);
  if (Object.keys(sysctl).length > 0) linux.sysctl = sysctl;
  return linux;
}

function resolveSeccomp(seccomp: SeccompInput, capabilities: readonly string[]): OciSeccomp | undefined {
  if (seccomp === 'unconfined') return undefined;
  if (typeof seccomp === 'function') return seccomp(capabilities);
  return seccomp;
}

function buildNamespaces(input: OciSpecInput): OciLinux['namespaces'] {
  const namespaces: OciLinux['namespaces'] = [{ type: 'mount' }];
  if (input.hostNetwork !== true) {
    namespaces.push(
      input.networkNamespacePath === undefined ? { type: 'network' } : { type: 'network', path: input.networkNamespacePath },
    );
  }
  namespaces.push({ type: 'uts' }, { type: 'pid' }, { type: 'ipc' });
  if (input.privateCgroupNamespace === true) namespaces.push({ type: 'cgroup' });
  return namespaces;
}

/**
 * With its own network namespace a container may bind ports below 1024 and open ICMP echo
 * sockets without capabilities, as dockerd configures since 20.10.
 */
function buildSysctls(input: OciSpecInput): Record<string, string> {
  const ownNetwork = input.hostNetwork !== true && input.networkNamespacePath === undefined;
  const defaults: Record<string, string> = ownNetwork
    ? { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' }
    : {};
  return { ...defaults, ...(input.sysctls ?? {}) };
}

function defaultMounts(input: OciSpecInput): OciMount[] {
  const readOnlySys = input.privileged ? [] : ['ro'];
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...readOnlySys] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...readOnlySys, 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${input.shmSize}`],
    },
  ];
}

/**
 * Docker's defaults, minus any the user mounts over (a user `/dev` also replaces the `/dev/*`
 * defaults), then the user's mounts parents-first so a child mount is not hidden by its parent.
 */
function buildMounts(input: OciSpecInput): OciMount[] {
  const userDestinations = new Set(input.mounts.map((mount) => cleanPath(mount.destination)));
  const overDev = userDestinations.has('/dev');
  const defaults = defaultMounts(input).filter(
    (mount) => !userDestinations.has(mount.destination) && !(overDev && mount.destination.startsWith('/dev/')),
  );
  const depth = (mount: OciMount): number => cleanPath(mount.destination).split('/').length;
  const user = input.mounts
    .map((mount, index) => ({ mount, index }))
    .sort((a, b) => depth(a.mount) - depth(b.mount) || a.index - b.index);
  return [...defaults, ...user.map(({ mount }) => ({ ...mount, ...(mount.options ? { options: [...mount.options] } : {}) }))];
}

function cleanPath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  return `/${parts.join('/')}`;
}
