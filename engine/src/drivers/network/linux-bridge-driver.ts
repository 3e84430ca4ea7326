import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { internal } from '@berth/common';
import type { JoinedInterface, NamespaceRelease, NetworkJoin, PortMapping } from '../../core/networks/network-driver.js';
import type { NetworkRecord } from '../../core/networks/network.js';
import type { Logger } from '../../lib/logger.js';
import { pathExists } from '../../lib/path-exists.js';
import { installBridgeFirewall, removeBridgeFirewall } from '../../platform/bridge-firewall.js';
import { deleteLinks, enableIpv4Forwarding, netnsDirectory, runIpBatch } from '../../platform/network-commands.js';
import { namespaceName } from './container-namespace.js';
import { ContainerStateFiles } from './container-state-files.js';
import { openPortProxy, type PortProxy, type ProxiedPort } from './port-proxy.js';

/** What one container's interface on one bridge is made of: enough to take it down or bring its ports back. */
interface BridgeEndpointState {
  bridgeName: string;
  /** The bridge network's subnet: its NAT rule is keyed by it. */
  subnet: string;
  hostVeth: string;
  ipAddress: string;
  ports: ProxiedPort[];
}

/** How long after a namespace is deleted its veths must be gone (the kernel needs milliseconds). */
const leftoverVethDelayMs = 2000;

/** Per container: network ID to its endpoint. */
type ContainerState = Record<string, BridgeEndpointState>;

export interface LinuxBridgeDriverOptions {
  /** Per-container endpoint records (`<dataRoot>/network/bridge`). */
  stateDir: string;
  logger: Logger;
}

/**
 * The default bridge network without netavark: a Linux bridge, one veth per container made with
 * two `ip -batch` processes, NAT rules installed once per bridge, and published ports through
 * userland proxies. netavark programs a dozen iptables rules per container start and as many on
 * stop (about 0.2 s each way here); this path costs a few milliseconds. User networks, which need
 * aardvark-dns names, stay with netavark.
 */
export class LinuxBridgeDriver {
  /** Bridges made ready by this engine, by name: set up at most once at a time. */
  private readonly readyBridges = new Map<string, { subnet: string; ready: Promise<void> }>();
  private readonly proxies = new Map<string, PortProxy[]>();
  /** Namespace deletions still running after `release` resolved: awaited on close. */
  private readonly namespaceDeletions = new Set<Promise<void>>();
  /** Checks for veths that outlived their namespace, by timer: run at once on close. */
  private readonly pendingSweeps = new Map<NodeJS.Timeout, () => Promise<void>>();

  private readonly stateFiles: ContainerStateFiles<ContainerState>;

  constructor(private readonly options: LinuxBridgeDriverOptions) {
    this.stateFiles = new ContainerStateFiles(options.stateDir);
  }

  /** Plugs the container's namespace (which must exist) into one bridge network; `ports` are published to its address. */
  async join(
    containerId: string,
    { network, endpoint, interfaceName }: NetworkJoin,
    ports: PortMapping[],
    options: { signal?: AbortSignal } = {},
  ): Promise<JoinedInterface> {
    const { signal } = options;
    const { subnet, gateway, bridgeName } = network;
    const ipAddress = endpoint.ipAddress;
    if (subnet === undefined || gateway === undefined || bridgeName === undefined || ipAddress === undefined)
      throw internal(`network ${network.name} has no address for ${containerId}`);
    await mkdir(this.options.stateDir, { recursive: true, mode: 0o700 });
    await this.ensureBridge(network);
    const namespace = namespaceName(containerId);
    const prefixLength = Number(subnet.split('/')[1]);
    const macAddress = macFromAddress(ipAddress);
    const hostVeth = hostVethName(containerId, network.id);
    const mtu = network.options['com.docker.network.driver.mtu'] ?? '1500';
    const published = ports.flatMap((port) => proxiedPorts(port, ipAddress));
    // Recorded first: a crash half-way still leaves what teardown needs.
    const state = await this.readState(containerId);
    state[network.id] = { bridgeName, subnet, hostVeth, ipAddress, ports: published };
    await this.writeState(containerId, state);
    try {
      // The previous run's veth (same name) may still exist: the kernel tears a deleted namespace's
      // veths down in the background, and a quick restart can come first. It may also vanish
      // between this check and the delete, so the delete is its own tolerant step.
      if (await pathExists(`/sys/class/net/${hostVeth}`)) await deleteLinks([hostVeth], signal !== undefined ? { signal } : {});
      await runIpBatch(
        [
          `link add ${hostVeth} mtu ${mtu} type veth peer name ${interfaceName} address ${macAddress} mtu ${mtu} netns ${namespace}`,
          `link set ${hostVeth} master ${bridgeName} up`,
        ],
        signal !== undefined ? { signal } : {},
      );
      const interfaceIndex = Number(/\d+$/.exec(interfaceName)?.[0] ?? '0');
      await runIpBatch(
        [
          'link set lo up',
          `addr add ${ipAddress}/${prefixLength} dev ${interfaceName}`,
          `link set ${interfaceName} up`,
          // eth0 owns the plain default route; later interfaces add theirs behind it.
          `route replace default via ${gateway} dev ${interfaceName}${interfaceIndex > 0 ? ` metric ${interfaceIndex}` : ''}`,
        ],
        { namespace, ...(signal !== undefined ? { signal } : {}) },
      );
      await this.openProxies(containerId, published);
    } catch (error) {
      // The caller releases the container (namespace included) after a failed join.
      await this.leave(containerId, [network.id]).catch(() => undefined);
      throw error;
    }
    return { networkId: network.id, macAddress, ipAddress, prefixLength, gateway };
  }

  /** Closes the container's proxies and deletes its veths on the given networks. */
  async leave(containerId: string, networkIds: string[]): Promise<void> {
    await deleteLinks(await this.forget(containerId, networkIds));
  }

  /**
   * Leaves every network and deletes the namespace. Deleting a veth waits for an RCU grace period
   * (15-35 ms here) while the kernel tears a dead namespace's veths down in the background, so
   * only the namespace goes. Ports and state go before this resolves; the namespace's deletion
   * (one `ip` process) goes on after, so a stopping container's waiters need not wait for it. A
   * veth that outlives the namespace (something still held it) would keep an address that is
   * handed out again: those are deleted a moment later.
   */
  async release(containerId: string): Promise<NamespaceRelease> {
    const veths = await this.forget(containerId);
    if (!(await pathExists(`${netnsDirectory}/${namespaceName(containerId)}`))) {
      await deleteLinks(veths);
      return { namespaceGone: Promise.resolve() };
    }
    const namespaceGone = this.deleteNamespace(containerId, veths);
    const tracked = namespaceGone.then(
      () => undefined,
      () => undefined,
    );
    this.namespaceDeletions.add(tracked);
    void tracked.then(() => this.namespaceDeletions.delete(tracked));
    return { namespaceGone };
  }

  private async deleteNamespace(containerId: string, veths: string[]): Promise<void> {
    // Interface indexes, not names: a restart recreates the same name, and that one must stay.
    const indexes = new Map<string, string>();
    for (const veth of veths) {
      const index = await interfaceIndex(veth);
      if (index !== undefined) indexes.set(veth, index);
    }
    await runIpBatch([`netns delete ${namespaceName(containerId)}`]);
    if (indexes.size > 0) this.deleteLeftoverVeths(indexes);
  }

  private deleteLeftoverVeths(indexes: Map<string, string>): void {
    const sweep = async (): Promise<void> => {
      this.pendingSweeps.delete(timer);
      const left: string[] = [];
      for (const [veth, index] of indexes) if ((await interfaceIndex(veth)) === index) left.push(veth);
      if (left.length === 0) return;
      this.options.logger.warn({ veths: left }, 'veths outlived their namespace; deleting them');
      await deleteLinks(left).catch((error: unknown) =>
        this.options.logger.warn({ err: error, veths: left }, 'cannot delete leftover veths'),
      );
    };
    const timer = setTimeout(() => void sweep(), leftoverVethDelayMs);
    timer.unref();
    this.pendingSweeps.set(timer, sweep);
  }

  /** Drops the endpoints from the state file and closes their proxies; returns their host veths that still exist. */
  private async forget(containerId: string, networkIds?: string[]): Promise<string[]> {
    const state = await this.readState(containerId);
    const veths: string[] = [];
    for (const networkId of networkIds ?? Object.keys(state)) {
      const endpoint = state[networkId];
      if (endpoint === undefined) continue;
      await this.closeProxies(containerId, endpoint.ports);
      if (await pathExists(`/sys/class/net/${endpoint.hostVeth}`)) veths.push(endpoint.hostVeth);
      delete state[networkId];
    }
    await this.writeState(containerId, state);
    return veths;
  }

  /** After an engine restart: published ports of containers that kept running listen again. */
  async restore(isRunning: (containerId: string) => boolean): Promise<void> {
    const files = await readdir(this.options.stateDir).catch(() => [] as string[]);
    for (const file of files) {
      if (!file.endsWith('.json')) continue;
      const containerId = file.slice(0, -'.json'.length);
      if (!isRunning(containerId)) continue;
      for (const endpoint of Object.values(await this.readState(containerId))) {
        // Set up by an earlier engine: this one removes it at stop once it is unused.
        if (!this.readyBridges.has(endpoint.bridgeName))
          this.readyBridges.set(endpoint.bridgeName, { subnet: endpoint.subnet, ready: Promise.resolve() });
        await this.openProxies(containerId, endpoint.ports).catch((error: unknown) =>
          this.options.logger.warn({ err: error, containerId }, 'cannot publish ports again after restart'),
        );
      }
    }
  }

  /** Engine shutdown: stops the proxies and removes bridges no container is plugged into any more. */
  async close(): Promise<void> {
    await Promise.all(this.namespaceDeletions);
    const sweeps = [...this.pendingSweeps];
    this.pendingSweeps.clear();
    for (const [timer, sweep] of sweeps) {
      clearTimeout(timer);
      await sweep();
    }
    for (const proxies of this.proxies.values()) await Promise.all(proxies.map((proxy) => proxy.close()));
    this.proxies.clear();
    for (const [bridgeName, { subnet, ready }] of this.readyBridges) {
      if (!(await ready.then(() => true).catch(() => false))) continue;
      const ports = await readdir(`/sys/class/net/${bridgeName}/brif`).catch(() => undefined);
      if (ports === undefined || ports.length > 0) continue;
      await runIpBatch([`link del ${bridgeName}`]).catch((error: unknown) =>
        this.options.logger.warn({ err: error, bridge: bridgeName }, 'cannot remove bridge'),
      );
      await removeBridgeFirewall(bridgeName, subnet).catch(() => undefined);
    }
    this.readyBridges.clear();
  }

  /** Creates the bridge with its gateway address, forwarding and NAT on first use (or after someone deleted it). */
  private async ensureBridge(network: NetworkRecord): Promise<void> {
    const bridgeName = network.bridgeName ?? '';
    const subnet = network.subnet ?? '';
    const known = this.readyBridges.get(bridgeName);
    if (known !== undefined && (await pathExists(`/sys/class/net/${bridgeName}`))) return known.ready;
    const ready = (async () => {
      const mtu = network.options['com.docker.network.driver.mtu'] ?? '1500';
      const prefix = subnet.split('/')[1] ?? '16';
      const create = (await pathExists(`/sys/class/net/${bridgeName}`)) ? [] : [`link add ${bridgeName} mtu ${mtu} type bridge`];
      await runIpBatch([
        ...create,
        `addr replace ${network.gateway ?? ''}/${prefix} dev ${bridgeName}`,
        `link set ${bridgeName} up`,
      ]);
      await enableIpv4Forwarding();
      if (!network.internal) await installBridgeFirewall(bridgeName, subnet);
    })();
    this.readyBridges.set(bridgeName, { subnet, ready });
    try {
      await ready;
    } catch (error) {
      this.readyBridges.delete(bridgeName);
      throw error;
    }
  }

  private async openProxies(containerId: string, ports: ProxiedPort[]): Promise<void> {
    const opened = this.proxies.get(containerId) ?? [];
    this.proxies.set(containerId, opened);
    for (const port of ports) opened.push(await openPortProxy(port));
  }

  private async closeProxies(containerId: string, ports: ProxiedPort[]): Promise<void> {
    const opened = this.proxies.get(containerId) ?? [];
    const closing = opened.filter((proxy) => ports.some((port) => samePort(port, proxy.port)));
    const remaining = opened.filter((proxy) => !closing.includes(proxy));
    if (remaining.length > 0) this.proxies.set(containerId, remaining);
    else this.proxies.delete(containerId);
    await Promise.all(closing.map((proxy) => proxy.close()));
  }

  private async readState(containerId: string): Promise<ContainerState> {
    return (await this.stateFiles.read(containerId)) ?? {};
  }

  private writeState(containerId: string, state: ContainerState): Promise<void> {
    return this.stateFiles.write(containerId, state);
  }
}

/** Host end of a container's veth: stable per container and network, within the 15-character name limit. */
export function hostVethName(containerId: string, networkId: string): string {
  return `veth${createHash('sha256').update(`${containerId}/${networkId}`).digest('hex').slice(0, 7)}`;
}

/** dockerd's MAC scheme: 02:42 followed by the four bytes of the IPv4 address. */
export function macFromAddress(ipAddress: string): string {
  const bytes = ipAddress.split('.').map((part) => Number(part).toString(16).padStart(2, '0'));
  return ['02', '42', ...bytes].join(':');
}

function proxiedPorts(mapping: PortMapping, targetIp: string): ProxiedPort[] {
  return Array.from({ length: Math.max(1, mapping.range) }, (_, offset) => ({
    hostIp: mapping.hostIp,
    hostPort: mapping.hostPort + offset,
    targetIp,
    targetPort: mapping.containerPort + offset,
    protocol: mapping.protocol,
  }));
}

function samePort(a: ProxiedPort, b: ProxiedPort): boolean {
  return a.hostIp === b.hostIp && a.hostPort === b.hostPort && a.protocol === b.protocol;
}

/** The kernel's index of a host interface, or undefined when there is none of that name. */
async function interfaceIndex(name: string): Promise<string | undefined> {
  return readFile(`/sys/class/net/${name}/ifindex`, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
}
