import { readFile, writeFile } from 'node:fs/promises';
import { AppError } from '@berth/common';
import { join } from 'node:path';
import type { Container } from '../../core/containers/container.js';
import type { NetworkAttachment } from '../../core/networks/container-networking.js';
import type { OciLinux, OciMount, OciSeccomp, OciSpec } from '../../core/runtime/oci-spec.js';
import { bindMount, buildOciSpec } from './oci-spec-builder.js';
import { resolveUser } from './user-resolver.js';
import { detectCgroupHost, type CgroupHost } from './cgroup-host.js';
import {
  containerInitPath,
  findInitBinary,
  parseDeviceCgroupRules,
  resolveDevices,
  ulimitsToRlimits,
  validateDevices,
} from './host-config-spec.js';
import { pickResources, toOciResources } from './resources.js';

/** Turns a container record into the OCI runtime spec for its next start. */
export interface ContainerSpecFactory {
  build(
    container: Container,
    paths: { directory: string; rootfs: string },
    network: NetworkAttachment,
    extraMounts: OciMount[],
  ): Promise<OciSpec>;
}

export interface DockerSpecFactoryOptions {
  /** Docker's default seccomp profile for a capability set. */
  defaultSeccomp: (capabilities: readonly string[]) => OciSeccomp;
  /** cgroupfs parent of every container's cgroup. */
  cgroupParent: string;
  /** What the engine itself may hand out: containers cannot get more (runc fails otherwise). */
  hostNofileLimit?: number;
  hostCapabilities?: string[];
  /** The host's device nodes, given to privileged containers. */
  listHostDevices?: () => Promise<NonNullable<OciLinux['devices']>>;
  /** Host-specific paths to mask as well as Docker's list. */
  extraMaskedPaths?: string[];
  /** The host's cgroup facts when the caller already has them (detected otherwise). */
  cgroupHost?: CgroupHost;
}

/**
 * Translates Docker's Config/HostConfig into the spec builder's input, and writes the files Docker
 * bind-mounts into every container (/etc/hostname, /etc/hosts, /etc/resolv.conf).
 */
export class DockerSpecFactory implements ContainerSpecFactory {
  private cgroupHostFacts: Promise<CgroupHost> | undefined;

  constructor(private readonly options: DockerSpecFactoryOptions) {}

  private cgroupHost(): Promise<CgroupHost> {
    this.cgroupHostFacts ??=
      this.options.cgroupHost !== undefined ? Promise.resolve(this.options.cgroupHost) : detectCgroupHost();
    return this.cgroupHostFacts;
  }

  async build(
    container: Container,
    paths: { directory: string; rootfs: string },
    network: NetworkAttachment,
    extraMounts: OciMount[],
  ): Promise<OciSpec> {
    const { config, hostConfig } = container;
    const hostname = config.Hostname ?? container.id.slice(0, 12);
    await writeFile(join(paths.directory, 'hostname'), `${hostname}\n`);
    await writeFile(
      join(paths.directory, 'hosts'),
      `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n${hostsTail(network, hostname)}`,
    );
    await writeFile(join(paths.directory, 'resolv.conf'), network.resolvConf ?? (await containerResolvConf()));
    const securityOptions = hostConfig.SecurityOpt ?? [];
    const unconfined = securityOptions.some((option) => /^seccomp[=:]unconfined$/.test(option));
    const noNewPrivileges = securityOptions.some((option) => /^no-new-privileges(?:[=:]true)?$/.test(option));
    const consoleSize = hostConfig.ConsoleSize;
    const privileged = hostConfig.Privileged === true;
    const maskedPaths = stringList(hostConfig['MaskedPaths']);
    const readonlyPaths = stringList(hostConfig['ReadonlyPaths']);
    const hostDevices =
      privileged && this.options.listHostDevices !== undefined ? await this.options.listHostDevices() : undefined;
    const custom = privileged ? undefined : await resolveDevices(validateDevices(hostConfig['Devices']));
    const deviceRules = [...(custom?.rules ?? []), ...parseDeviceCgroupRules(hostConfig['DeviceCgroupRules'])];
    const cgroupHost = await this.cgroupHost();
    const initMounts: OciMount[] = [];
    const args = [container.path, ...container.args];
    if (hostConfig['Init'] === true) {
      const init = await findInitBinary();
      if (init === undefined) throw new AppError('internal', 'no init binary (tini-static or catatonit) on this host for --init');
      initMounts.push(bindMount(init, containerInitPath, { readonly: true }));
      args.unshift(containerInitPath, '--');
    }
    return buildOciSpec({
      rootfsPath: paths.rootfs,
      args,
      env: config.Env ?? [],
      cwd: config.WorkingDir ?? '',
      user: await resolveUser(paths.rootfs, config.User),
      hostname,
      tty: config.Tty === true,
      ...(Array.isArray(consoleSize) && consoleSize[0] > 0 && consoleSize[1] > 0
        ? { consoleSize: { rows: consoleSize[0], columns: consoleSize[1] } }
        : {}),
      readonlyRootfs: hostConfig.ReadonlyRootfs === true,
      ...(maskedPaths !== undefined ? { maskedPaths } : {}),
      ...(readonlyPaths !== undefined ? { readonlyPaths } : {}),
      privileged,
      ...(hostDevices !== undefined ? { hostDevices } : {}),
      capAdd: hostConfig.CapAdd ?? [],
      capDrop: hostConfig.CapDrop ?? [],
      noNewPrivileges,
      seccomp: unconfined ? 'unconfined' : this.options.defaultSeccomp,
      mounts: [
        bindMount(join(paths.directory, 'resolv.conf'), '/etc/resolv.conf'),
        bindMount(join(paths.directory, 'hostname'), '/etc/hostname'),
        bindMount(join(paths.directory, 'hosts'), '/etc/hosts'),
        ...initMounts,
        ...extraMounts,
      ],
      resources: toOciResources(pickResources(hostConfig)),
      rlimits: ulimitsToRlimits(hostConfig['Ulimits']),
      ...(custom !== undefined && custom.devices.length > 0 ? { devices: custom.devices } : {}),
      ...(deviceRules.length > 0 ? { deviceRules } : {}),
      // Docker's default cgroup namespace: private on cgroup v2, the host's on v1.
      privateCgroupNamespace: cgroupHost.version === 2 && hostConfig['CgroupnsMode'] !== 'host',
      cgroupsPath: `${this.options.cgroupParent}/${container.id}`,
      ...(network.namespacePath !== undefined ? { networkNamespacePath: network.namespacePath } : {}),
      ...(network.hostNetwork === true ? { hostNetwork: true } : {}),
      shmSize: hostConfig.ShmSize ?? 67_108_864,
      annotations: {},
      ...(this.options.hostNofileLimit !== undefined ? { hostNofileLimit: this.options.hostNofileLimit } : {}),
      ...(this.options.extraMaskedPaths !== undefined ? { extraMaskedPaths: this.options.extraMaskedPaths } : {}),
      ...(this.options.hostCapabilities !== undefined ? { hostCapabilities: this.options.hostCapabilities } : {}),
    });
  }
}

/**
 * dockerd's rule: the host's resolv.conf without loopback nameservers (unreachable from the
 * container's network namespace), falling back to public resolvers when none remain.
 */
async function containerResolvConf(): Promise<string> {
  let host = '';
  try {
    host = await readFile('/etc/resolv.conf', 'utf8');
  } catch {
    // No resolv.conf on the host: the fallback below applies.
  }
  const lines = host.split('\n').filter((line) => !/^\s*nameserver\s+(127\.|::1\b)/.test(line));
  if (!lines.some((line) => /^\s*nameserver\s/.test(line))) lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  return `${lines.filter((line) => line.trim() !== '').join('\n')}\n`;
}

/** The container's own name lines: the network's entries, or Docker's 127.0.1.1 line without one. */
function hostsTail(network: NetworkAttachment, hostname: string): string {
  const lines = network.hostsEntries.length > 0 ? network.hostsEntries : [`127.0.1.1\t${hostname}`];
  return lines.map((line) => `${line}\n`).join('');
}

/** A HostConfig list field when it holds strings (null and absent mean Docker's default). */
function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item): item is string => typeof item === 'string') ? value : undefined;
}
