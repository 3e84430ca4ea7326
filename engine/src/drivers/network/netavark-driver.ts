import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@berth/common';
import { pathExists } from '../../lib/path-exists.js';
import type { JoinedInterface, NetworkJoin, PortMapping, PortProtocol } from '../../core/networks/network-driver.js';
import {
  addNetworkNamespace,
  deleteNetworkNamespace,
  netnsDirectory,
  runNetavark,
  type NetavarkBinaries,
} from '../../platform/network-commands.js';
import { namespaceName } from './container-namespace.js';
import { ContainerStateFiles } from './container-state-files.js';
import { isHostPortFree, readRoutedSubnets } from './host-network.js';
import { SubnetClaims } from './subnet-claims.js';

/** What netavark was given for one network of one container: teardown needs exactly the same. */
interface NetavarkInput {
  container_id: string;
  container_name: string;
  port_mappings: { host_ip: string; container_port: number; host_port: number; range: number; protocol: PortProtocol }[];
  networks: Record<string, { static_ips: string[]; aliases: string[]; interface_name: string }>;
  network_info: Record<string, unknown>;
}

/** Per container: network ID to the input that set it up. */
type ContainerState = Record<string, NetavarkInput>;

interface NetavarkOutput {
  interfaces?: Record<string, { mac_address?: string; subnets?: { ipnet?: string; gateway?: string }[] }>;
}

export interface NetavarkDriverOptions {
  binaries: NetavarkBinaries;
  /** `<dataRoot>/network`: aardvark-dns configuration and per-container setup records. */
  stateDir: string;
  /** The engine's data root: owner of its subnet claims. */
  dataRoot: string;
  /** Host-wide directory of subnet claims. */
  claimsDir?: string;
}

/**
 * Bridge networking through netavark (veths, bridges, iptables NAT and port forwarding) and
 * aardvark-dns (names on user networks), in one named namespace per container (`berth-<id>`).
 * Each network is set up with its own netavark call so it can be torn down exactly. The default
 * bridge does not come here (see LinuxBridgeDriver); RoutingNetworkDriver decides.
 */
export class NetavarkDriver {
  private readonly claims: SubnetClaims;
  private readonly stateFiles: ContainerStateFiles<ContainerState>;
  /** netavark itself takes no lock: podman serialises its calls, so must we. */
  private netavarkQueue: Promise<unknown> = Promise.resolve();

  private serialNetavark(
    command: 'setup' | 'teardown',
    namespacePath: string,
    input: NetavarkInput,
    signal?: AbortSignal,
  ): Promise<string> {
    const run = this.netavarkQueue.then(() =>
      runNetavark(this.options.binaries, this.configDir, command, namespacePath, input, signal),
    );
    this.netavarkQueue = run.catch(() => undefined);
    return run;
  }

  constructor(private readonly options: NetavarkDriverOptions) {
    this.claims = new SubnetClaims(options.claimsDir ?? '/run/berth/subnets', options.dataRoot);
    this.stateFiles = new ContainerStateFiles(join(options.stateDir, 'containers'));
  }

  private get configDir(): string {
    return join(this.options.stateDir, 'netavark');
  }

  async createNamespace(containerId: string): Promise<string> {
    return addNetworkNamespace(namespaceName(containerId));
  }

  async removeNamespace(containerId: string): Promise<void> {
    if ((await this.namespacePath(containerId)) !== undefined) await deleteNetworkNamespace(namespaceName(containerId));
  }

  async namespacePath(containerId: string): Promise<string | undefined> {
    const path = join(netnsDirectory, namespaceName(containerId));
    return (await pathExists(path)) ? path : undefined;
  }

  async join(
    containerId: string,
    containerName: string,
    joins: NetworkJoin[],
    ports: PortMapping[],
    signal?: AbortSignal,
  ): Promise<JoinedInterface[]> {
    const namespacePath = await this.namespacePath(containerId);
    if (namespacePath === undefined) throw new AppError('internal', `network namespace of ${containerId} does not exist`);
    await mkdir(this.configDir, { recursive: true, mode: 0o700 });
    await mkdir(join(this.options.stateDir, 'containers'), { recursive: true, mode: 0o700 });
    const state = await this.readState(containerId);
    const joined: JoinedInterface[] = [];
    for (const [index, join_] of joins.entries()) {
      const { network, endpoint } = join_;
      if (network.subnet === undefined || network.gateway === undefined || endpoint.ipAddress === undefined)
        throw new AppError('internal', `network ${network.name} has no address for ${containerId}`);
      const input: NetavarkInput = {
        container_id: containerId,
        container_name: containerName,
        port_mappings:
          index === 0 && Object.keys(state).length === 0
            ? ports.map((port) => ({
                host_ip: port.hostIp,
                container_port: port.containerPort,
                host_port: port.hostPort,
                range: port.range,
                protocol: port.protocol,
              }))
            : [],
        networks: {
          [network.name]: {
            static_ips: [endpoint.ipAddress],
            // netavark puts container_name first in aardvark's entry itself: listing it again doubles its records.
            aliases: join_.dnsNames.filter((name) => name !== containerName),
            interface_name: join_.interfaceName,
          },
        },
        network_info: {
          [network.name]: {
            name: network.name,
            id: network.id,
            driver: 'bridge',
            network_interface: network.bridgeName,
            subnets: [{ subnet: network.subnet, gateway: network.gateway }],
            ipv6_enabled: false,
            internal: network.internal,
            dns_enabled: network.dnsEnabled,
            ipam_options: { driver: 'host-local' },
            ...(network.options['com.docker.network.driver.mtu'] !== undefined
              ? { options: { mtu: network.options['com.docker.network.driver.mtu'] } }
              : {}),
          },
        },
      };
      // Recorded first: a crash during setup still leaves what teardown needs.
      state[network.id] = input;
      await this.writeState(containerId, state);
      let output: string;
      try {
        output = await this.serialNetavark('setup', namespacePath, input, signal);
      } catch (error) {
        await this.serialNetavark('teardown', namespacePath, input).catch(() => undefined);
        delete state[network.id];
        await this.writeState(containerId, state);
        throw error;
      }
      joined.push(parseResult(network.id, network.name, join_.interfaceName, output));
    }
    return joined;
  }

  async leave(containerId: string, networkIds?: string[]): Promise<void> {
    const state = await this.readState(containerId);
    const namespacePath = (await this.namespacePath(containerId)) ?? join(netnsDirectory, namespaceName(containerId));
    const errors: unknown[] = [];
    for (const networkId of networkIds ?? Object.keys(state)) {
      const input = state[networkId];
      if (input === undefined) continue;
      try {
        await this.serialNetavark('teardown', namespacePath, input);
      } catch (error) {
        // A namespace that is already gone still lets netavark remove host-side rules, mostly;
        // keep going so one broken network does not leak the others.
        errors.push(error);
      }
      delete state[networkId];
    }
    await this.writeState(containerId, state);
    if (errors.length > 0 && Object.keys(state).length > 0) throw errors[0];
  }

  routedSubnets(): Promise<string[]> {
    return readRoutedSubnets();
  }

  claimSubnet(subnet: string): Promise<boolean> {
    return this.claims.claim(subnet);
  }

  releaseSubnet(subnet: string): Promise<void> {
    return this.claims.release(subnet);
  }

  isPortFree(hostIp: string, port: number, protocol: PortProtocol): Promise<boolean> {
    return isHostPortFree(hostIp, port, protocol);
  }

  /** Nothing to bring back: netavark's rules and aardvark-dns live outside the engine. */
  async restore(): Promise<void> {}

  async close(): Promise<void> {}

  private async readState(containerId: string): Promise<ContainerState> {
    return (await this.stateFiles.read(containerId)) ?? {};
  }

  private writeState(containerId: string, state: ContainerState): Promise<void> {
    return this.stateFiles.write(containerId, state);
  }
}

function parseResult(networkId: string, networkName: string, interfaceName: string, output: string): JoinedInterface {
  let parsed: Record<string, NetavarkOutput>;
  try {
    parsed = JSON.parse(output) as Record<string, NetavarkOutput>;
  } catch {
    throw new AppError('internal', `netavark printed an unexpected result: ${output.slice(0, 200)}`);
  }
  const result = parsed[networkName]?.interfaces?.[interfaceName];
  const subnet = result?.subnets?.[0];
  const [ipAddress, prefix] = (subnet?.ipnet ?? '').split('/');
  if (result === undefined || ipAddress === undefined || ipAddress === '')
    throw new AppError('internal', `netavark did not report an address for ${interfaceName} on ${networkName}`);
  return {
    networkId,
    macAddress: result.mac_address ?? '',
    ipAddress,
    prefixLength: Number(prefix ?? '0'),
    gateway: subnet?.gateway ?? '',
  };
}
