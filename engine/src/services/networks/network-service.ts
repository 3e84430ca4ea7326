import { randomBytes } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { AppError, conflict, invalidArgument, notFound } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import type { Container } from '../../core/containers/container.js';
import type { ContainerStore } from '../../core/containers/container-store.js';
import type { ContainerNetworking, NetworkAttachment, NetworksLeft } from '../../core/networks/container-networking.js';
import type { EndpointRecord, NetworkRecord, NetworkStore } from '../../core/networks/network.js';
import type { JoinedInterface, NetworkDriver, NetworkJoin, PortMapping } from '../../core/networks/network-driver.js';
import type { EventBus } from '../events/event-bus.js';
import { KeyedMutex } from '../../lib/keyed-mutex.js';
import {
  allocateAddress,
  assertStaticAddress,
  assertSubnetFree,
  firstHost,
  formatSubnet,
  parseIpv4,
  parseSubnet,
  pickFreeSubnet,
  subnetContains,
  type Ipv4Subnet,
} from './ipam.js';
import { bindingsCollide, exposedPorts, portMap, requestedPorts, type PublishedPort } from './port-bindings.js';
import { emptySettings } from './isolated-networking.js';
import { containerResolvConf, extraHostsEntries } from './name-files.js';
import { matchNetwork, type NetworkFilters } from './network-filters.js';

export interface NetworkServiceOptions {
  store: NetworkStore;
  driver: NetworkDriver;
  /** Container records: names for inspect, and NetworkSettings updates on connect/disconnect. */
  containers: ContainerStore;
  events: EventBus;
  /** Host interface name of the default `bridge` network (unique per data root). */
  defaultBridgeName: string;
  logger: Logger;
  /** The container's /etc/hosts on the host side (bind-mounted), appended to on connect as dockerd does. */
  hostsFilePath?: (containerId: string) => string;
}

/** `POST /networks/create` in Docker's shape (only what the engine acts on). */
export interface CreateNetworkRequest {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  EnableIPv6?: boolean;
  IPAM?: {
    Driver?: string;
    Config?: { Subnet?: string; IPRange?: string; Gateway?: string }[] | null;
    Options?: Record<string, string> | null;
  };
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** `EndpointSettings` of create's `NetworkingConfig` and of connect. */
export interface EndpointConfig {
  Aliases?: string[] | null;
  IPAMConfig?: { IPv4Address?: string } | null;
}

export interface NetworkMember {
  container: Container | undefined;
  endpoint: EndpointRecord;
}

const ephemeralPorts = { first: 32768, last: 60999 };
const networkNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** How long a namespace made ahead of a start waits for it (see NetworkService.prewarm). */
const prewarmTtlMs = 10_000;

/**
 * Docker's networks: the predefined `bridge`, `host` and `none`, user-defined bridges with their
 * own subnets and name service, and each container's connection to them around its task's life.
 */
export class NetworkService implements ContainerNetworking {
  private readonly locks = new KeyedMutex();
  private readonly logger: Logger;
  /**
   * Namespaces of stopped containers still being deleted, by container: until each is gone, its
   * interfaces' addresses stay taken (the kernel would still answer for them).
   */
  private readonly namespaceDeletions = new Map<
    string,
    { addresses: { networkId: string; ipAddress: string }[]; gone: Promise<void> }
  >();
  /** Namespaces created ahead of a start (see prewarm), by container: each deleted if no start claims it in time. */
  private readonly prewarmed = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: NetworkServiceOptions) {
    this.logger = options.logger.child({ component: 'networks' });
  }

  /**
   * Before containers are restored: creates the predefined networks on first start, forgets
   * endpoints of containers that no longer exist, and takes down what stopped containers left
   * (namespaces, veths, rules) after a crash.
   */
  async initialize(): Promise<void> {
    const networks = this.options.store.listNetworks();
    if (!networks.some((network) => network.name === 'bridge')) await this.createDefaultBridge();
    for (const [name, driver] of [
      ['host', 'host'],
      ['none', 'null'],
    ] as const) {
      if (!networks.some((network) => network.name === name)) this.options.store.insertNetwork(predefinedNetwork(name, driver));
    }
    for (const network of this.options.store.listNetworks())
      if (network.subnet !== undefined) await this.options.driver.claimSubnet(network.subnet);
    // Containers removed just before a crash: their namespaces go before their addresses are free again.
    const vanished = new Set(
      this.options.store
        .listEndpoints()
        .map((endpoint) => endpoint.containerId)
        .filter((containerId) => this.options.containers.get(containerId) === undefined),
    );
    for (const containerId of vanished) {
      await this.releaseContainer(containerId, { evenIfUnjoined: true }).catch(() => undefined);
      await this.forget(containerId);
    }
    for (const container of this.options.containers.list()) {
      if (container.state.status === 'running' || container.state.status === 'paused') continue;
      await this.releaseContainer(container.id, { evenIfUnjoined: true }).catch((error: unknown) =>
        this.logger.warn({ err: error, containerId: container.id }, 'cleaning stale network state failed'),
      );
    }
    await this.options.driver.restore((containerId) => {
      const status = this.options.containers.get(containerId)?.state.status;
      return status === 'running' || status === 'paused';
    });
  }

  /** Engine stop: what the driver keeps in the engine process goes; containers keep running. */
  async close(): Promise<void> {
    for (const containerId of [...this.prewarmed.keys()])
      await this.locks.run(containerId, () => this.discardPrewarmed(containerId)).catch(() => undefined);
    await Promise.all([...this.namespaceDeletions.values()].map(({ gone }) => gone));
    await this.options.driver.close();
  }

  list(filters: NetworkFilters = new Map()): NetworkRecord[] {
    return this.options.store
      .listNetworks()
      .filter((network) => matchNetwork(network, filters, this.options.store.listEndpoints({ networkId: network.id }).length));
  }

  /** By full ID, exact name, or unique ID prefix (Docker's order). */
  get(reference: string): NetworkRecord {
    const networks = this.options.store.listNetworks();
    const found =
      networks.find((network) => network.id === reference) ??
      networks.find((network) => network.name === reference) ??
      uniquePrefix(networks, reference);
    if (found === undefined) throw notFound(`network ${reference} not found`);
    return found;
  }

  /** Containers with an endpoint on the network (running ones have addresses). */
  members(network: NetworkRecord): NetworkMember[] {
    return this.options.store
      .listEndpoints({ networkId: network.id })
      .map((endpoint) => ({ container: this.options.containers.get(endpoint.containerId), endpoint }));
  }

  async create(request: CreateNetworkRequest): Promise<{ network: NetworkRecord; warning: string }> {
    const name = request.Name ?? '';
    if (name === '') throw invalidArgument('network name is required');
    if (!networkNamePattern.test(name))
      throw invalidArgument(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const driver = request.Driver === undefined || request.Driver === '' ? 'bridge' : request.Driver;
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    if (request.EnableIPv6 === true) throw invalidArgument('IPv6 networks are not supported by this engine');
    if (this.options.store.listNetworks().some((network) => network.name === name))
      throw conflict(`network with name ${name} already exists`);
    const id = randomBytes(32).toString('hex');
    const ipamConfig = (request.IPAM?.Config ?? []).find((config) => !(config.Subnet ?? '').includes(':'));
    const { subnet, gateway, ipRange } = await this.chooseAddressing(ipamConfig);
    const options = request.Options ?? {};
    const network: NetworkRecord = {
      id,
      name,
      driver: 'bridge',
      created: new Date().toISOString(),
      subnet,
      gateway,
      ...(ipRange !== undefined ? { ipRange } : {}),
      bridgeName: options['com.docker.network.bridge.name'] ?? `br-${id.slice(0, 12)}`,
      internal: request.Internal === true,
      attachable: request.Attachable === true,
      enableIPv6: false,
      dnsEnabled: true,
      labels: request.Labels ?? {},
      options,
      ipamOptions: request.IPAM?.Options ?? {},
      predefined: false,
    };
    if (network.bridgeName !== undefined && network.bridgeName.length > 15)
      throw invalidArgument(`bridge name ${network.bridgeName} is longer than 15 characters`);
    try {
      this.options.store.insertNetwork(network);
    } catch (error) {
      await this.options.driver.releaseSubnet(subnet);
      throw error;
    }
    this.publish(network, 'create');
    return { network, warning: '' };
  }

  async remove(reference: string): Promise<void> {
    const network = this.get(reference);
    if (network.predefined) throw new AppError('forbidden', `${network.name} is a pre-defined network and cannot be removed`);
    const active = this.options.store
      .listEndpoints({ networkId: network.id })
      .filter((endpoint) => endpoint.ipAddress !== undefined);
    if (active.length > 0)
      throw conflict(`error while removing network: network ${network.name} id ${network.id} has active endpoints`);
    // A container that just stopped may still be leaving it.
    await Promise.all(
      [...this.namespaceDeletions.values()]
        .filter(({ addresses }) => addresses.some((address) => address.networkId === network.id))
        .map(({ gone }) => gone),
    );
    this.options.store.deleteNetwork(network.id);
    if (network.subnet !== undefined) await this.options.driver.releaseSubnet(network.subnet);
    this.publish(network, 'destroy');
  }

  /** Removes user networks no container refers to; returns their names. */
  async prune(filters: NetworkFilters = new Map()): Promise<string[]> {
    const removed: string[] = [];
    for (const network of this.list(filters)) {
      if (network.predefined || this.options.store.listEndpoints({ networkId: network.id }).length > 0) continue;
      await this.remove(network.id);
      removed.push(network.name);
    }
    return removed;
  }

  /** Connects a container (created, running or stopped) to a network; a running one gets its interface now. */
  async connect(reference: string, containerReference: string, config: EndpointConfig = {}): Promise<void> {
    const network = this.get(reference);
    const found = this.findContainer(containerReference);
    await this.locks.run(found.id, async () => {
      const container = this.findContainer(found.id);
      const mode = container.hostConfig.NetworkMode ?? 'bridge';
      if (network.driver !== 'bridge' || mode === 'host' || mode === 'none' || mode.startsWith('container:'))
        throw invalidArgument(
          'container sharing network namespace with another container or host cannot be connected to any other network',
        );
      if (this.options.store.listEndpoints({ containerId: container.id }).some((endpoint) => endpoint.networkId === network.id))
        throw new AppError('forbidden', `endpoint with name ${container.name} already exists in network ${network.name}`);
      const endpoint = endpointFromConfig(container.id, network, config);
      this.options.store.putEndpoint(endpoint);
      const running = container.state.status === 'running' || container.state.status === 'paused';
      if (running) {
        try {
          const interfaceName = nextInterfaceName(this.options.store.listEndpoints({ containerId: container.id }));
          const prepared = this.assignAddresses(container, [{ network, endpoint, interfaceName }]);
          const [joined] = await this.plugIn(container, prepared, []);
          if (joined !== undefined) {
            this.recordJoined(endpoint, joined, interfaceName);
            // dockerd (libnetwork sbJoin -> updateHostsFile) appends the new address with the container's names.
            const hostsFile = this.options.hostsFilePath?.(container.id);
            if (hostsFile !== undefined && joined.ipAddress !== '')
              await appendFile(hostsFile, `${joined.ipAddress}\t${hostsNames(container)}\n`).catch(() => undefined);
          }
        } catch (error) {
          this.options.store.deleteEndpoint(container.id, network.id);
          throw error;
        }
      }
      this.updateSettings(container.id);
      this.publish(network, 'connect', { container: container.id });
    });
  }

  async disconnect(reference: string, containerReference: string, force = false): Promise<void> {
    const network = this.get(reference);
    const container = this.options.containers.get(containerReference) ?? this.tryFindContainer(containerReference);
    const containerId = container?.id ?? (force ? containerReference : undefined);
    if (containerId === undefined) throw notFound(`No such container: ${containerReference}`);
    await this.locks.run(containerId, async () => {
      const endpoint = this.options.store.listEndpoints({ containerId }).find((candidate) => candidate.networkId === network.id);
      if (endpoint === undefined) {
        if (force) return;
        throw new AppError('forbidden', `container ${containerId} is not connected to network ${network.name}`);
      }
      if (endpoint.ipAddress !== undefined) await this.options.driver.leave(containerId, [network.id]);
      this.options.store.deleteEndpoint(containerId, network.id);
      this.updateSettings(containerId);
      this.publish(network, 'disconnect', { container: containerId });
    });
  }

  // ContainerNetworking: called by the container lifecycle.

  async register(container: Container, networkingConfig: unknown): Promise<void> {
    const mode = container.hostConfig.NetworkMode ?? 'bridge';
    const endpointsConfig = endpointsConfigOf(networkingConfig);
    if (mode.startsWith('container:')) {
      this.findContainer(mode.slice('container:'.length));
      return;
    }
    const primary = this.get(mode === 'default' ? 'bridge' : mode);
    if (primary.driver !== 'bridge') {
      container.networkSettings = this.settingsFor(container, [{ network: primary, endpoint: undefined }], []);
      return;
    }
    const endpoints: EndpointRecord[] = [];
    for (const [name, config] of Object.entries(endpointsConfig)) {
      const network = this.get(name === 'default' ? 'bridge' : name);
      if (network.driver !== 'bridge') continue;
      if (network.id !== primary.id && (network.name === 'bridge' || primary.name === 'bridge'))
        throw invalidArgument('Container cannot be connected to network endpoints');
      endpoints.push(endpointFromConfig(container.id, network, config));
    }
    if (!endpoints.some((endpoint) => endpoint.networkId === primary.id))
      endpoints.unshift(endpointFromConfig(container.id, primary, {}));
    // Unflushed: the container's record, stored durably right after in the same database, takes
    // these to disk with it (and initialize() drops endpoints whose container never got one).
    for (const endpoint of endpoints) this.options.store.putEndpoint(endpoint, { durable: false });
    container.networkSettings = this.settingsFor(
      container,
      endpoints.map((endpoint) => ({ network: this.networkById(endpoint.networkId), endpoint })),
      [],
    );
  }

  /**
   * Resolves once the namespace exists and the container's addresses are known; its interfaces
   * come up meanwhile (`interfacesUp`), in parallel with the runtime's create. The container's lock
   * is held until they are up or failed, so a detach waits for a join in flight.
   */
  async attach(container: Container, signal?: AbortSignal): Promise<NetworkAttachment> {
    return new Promise((resolve, reject) => {
      void this.locks.run(container.id, async () => {
        try {
          const attachment = await this.attachLocked(container, signal);
          resolve(attachment);
          await attachment.interfacesUp.catch(() => undefined);
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  async detach(container: Container): Promise<NetworksLeft> {
    return this.locks.run(container.id, async () => {
      const left = this.connectedNetworks(container);
      await this.releaseContainer(container.id);
      container.networkSettings = this.settingsFor(container, this.joinedNetworks(container.id), []);
      return {
        announce: () => {
          for (const network of left) this.publish(network, 'disconnect', { container: container.id });
        },
      };
    });
  }

  /** The networks a container's task is connected to now (host and none count, as with dockerd). */
  private connectedNetworks(container: Container): NetworkRecord[] {
    const mode = container.hostConfig.NetworkMode ?? 'default';
    if (mode === 'host' || mode === 'none') return [this.get(mode)];
    return this.joinedNetworks(container.id)
      .filter(({ endpoint }) => endpoint?.ipAddress !== undefined)
      .map(({ network }) => network);
  }

  /** `network connect` events for a task that is joining its networks (dockerd publishes them before `start`). */
  private announceConnected(container: Container): void {
    for (const network of this.connectedNetworks(container)) this.publish(network, 'connect', { container: container.id });
  }

  private async attachLocked(container: Container, signal?: AbortSignal): Promise<NetworkAttachment> {
    const mode = container.hostConfig.NetworkMode ?? 'bridge';
    if (mode === 'host') {
      const host = this.get('host');
      this.announceConnected(container);
      return {
        hostNetwork: true,
        hostsEntries: [],
        interfacesUp: Promise.resolve(this.settingsFor(container, [{ network: host, endpoint: undefined }], [])),
      };
    }
    if (mode.startsWith('container:')) {
      const other = this.findContainer(mode.slice('container:'.length));
      if (other.state.status !== 'running' || other.state.pid <= 0)
        throw conflict(`cannot join network of a non running container: ${other.id}`);
      if (other.hostConfig.NetworkMode === 'host')
        return { hostNetwork: true, hostsEntries: [], interfacesUp: Promise.resolve(emptySettings()) };
      return {
        namespacePath: `/proc/${other.state.pid}/ns/net`,
        hostsEntries: [],
        interfacesUp: Promise.resolve(emptySettings()),
      };
    }
    if (mode === 'none') {
      this.announceConnected(container);
      return {
        hostsEntries: [],
        interfacesUp: Promise.resolve(this.settingsFor(container, [{ network: this.get('none'), endpoint: undefined }], [])),
      };
    }
    let endpoints = this.options.store.listEndpoints({ containerId: container.id });
    if (endpoints.length === 0 && container.networkSettings === undefined) {
      // A record from before networks existed: its NetworkMode names the network.
      const network = this.get(mode === 'default' ? 'bridge' : mode);
      this.options.store.putEndpoint(endpointFromConfig(container.id, network, {}));
      endpoints = this.options.store.listEndpoints({ containerId: container.id });
    }
    if (endpoints.length === 0) return { hostsEntries: [], interfacesUp: Promise.resolve(emptySettings()) };

    // A namespace made ahead of this start is kept (createNamespace finds it).
    this.claimPrewarmed(container.id);
    // A quick restart: the previous run's namespace has the same name, and must be gone first.
    await this.namespaceDeletions.get(container.id)?.gone;
    // Whatever a previous run left (engine crash) goes first, so attach is idempotent.
    await this.releaseContainer(container.id);
    try {
      const published = await this.allocatePorts(container);
      const joins = endpoints.map((endpoint, index) => ({
        network: this.networkById(endpoint.networkId),
        endpoint,
        interfaceName: `eth${index}`,
      }));
      const prepared = this.assignAddresses(container, joins);
      const namespacePath = await this.options.driver.createNamespace(container.id);
      const fullName = hostsNames(container);
      const hostsEntries = [
        ...extraHostsEntries(container.hostConfig['ExtraHosts'], prepared[0]?.network.gateway ?? ''),
        // One line per joined network, as dockerd's sandbox adds one per endpoint.
        ...prepared.flatMap(({ endpoint }) => (endpoint.ipAddress !== undefined ? [`${endpoint.ipAddress}\t${fullName}`] : [])),
      ];
      const dnsGateway = joins.find(({ network }) => network.dnsEnabled)?.network.gateway;
      const resolvConf = await containerResolvConf(container.hostConfig, dnsGateway);
      const interfacesUp = this.plugIn(container, prepared, published, signal).then((joined) => {
        joined.forEach((result, index) => {
          const join = joins[index];
          if (join !== undefined) this.recordJoined(join.endpoint, result, join.interfaceName);
        });
        const settings = this.settingsFor(container, this.joinedNetworks(container.id), published);
        settings['SandboxKey'] = namespacePath;
        settings['SandboxID'] = container.id;
        this.announceConnected(container);
        return settings;
      });
      // Marked handled here: the lock holder and the caller both await it, but a caller that failed
      // elsewhere first may never do so.
      interfacesUp.catch(() => undefined);
      return {
        namespacePath,
        hostsEntries,
        ...(resolvConf !== undefined ? { resolvConf } : {}),
        interfacesUp: interfacesUp.catch(async (error: unknown) => {
          await this.releaseContainer(container.id, { evenIfUnjoined: true }).catch(() => undefined);
          throw error;
        }),
      };
    } catch (error) {
      // The namespace may exist with no address in it yet (made here, or prewarmed): it goes too.
      await this.releaseContainer(container.id, { evenIfUnjoined: true }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Tears down every network of the container and its namespace; forgets its addresses. Without
   * `evenIfUnjoined`, a container with no address has nothing to tear down (every join records its
   * addresses before it touches the host, and they stay recorded when a teardown fails).
   */
  private async releaseContainer(containerId: string, options: { evenIfUnjoined?: boolean } = {}): Promise<void> {
    const joined = this.options.store
      .listEndpoints({ containerId })
      .filter((endpoint): endpoint is EndpointRecord & { ipAddress: string } => endpoint.ipAddress !== undefined);
    if (joined.length === 0 && options.evenIfUnjoined !== true) return;
    const { namespaceGone } = await this.options.driver.release(containerId);
    for (const endpoint of joined) {
      const { ipAddress: _ip, macAddress: _mac, endpointId: _id, interfaceName: _if, ...rest } = endpoint;
      // Addresses live as long as a task: after a host crash initialize() drops them anyway.
      this.options.store.putEndpoint(rest, { durable: false });
    }
    const deletion = {
      addresses: joined.map(({ networkId, ipAddress }) => ({ networkId, ipAddress })),
      gone: namespaceGone
        .catch((error: unknown) => this.logger.warn({ err: error, containerId }, 'deleting the network namespace failed'))
        .finally(() => {
          if (this.namespaceDeletions.get(containerId) === deletion) this.namespaceDeletions.delete(containerId);
        }),
    };
    this.namespaceDeletions.set(containerId, deletion);
  }

  /**
   * Creates the namespace of a container that was just created, ahead of its start: `docker run`
   * starts a few milliseconds after create, and the namespace (an `ip` process, the kernel's
   * setup) is then ready. A namespace no start claimed within `prewarmTtlMs` is deleted again, so a
   * container that is only created holds none for long. Failures are left for the start to meet.
   */
  async prewarm(container: Container): Promise<void> {
    const mode = container.hostConfig.NetworkMode ?? 'bridge';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return;
    if (this.options.store.listEndpoints({ containerId: container.id }).length === 0) return;
    await this.locks.run(container.id, async () => {
      if (this.prewarmed.has(container.id)) return;
      await this.options.driver.createNamespace(container.id);
      const timer = setTimeout(() => {
        void this.locks.run(container.id, () => this.discardPrewarmed(container.id)).catch(() => undefined);
      }, prewarmTtlMs);
      timer.unref();
      this.prewarmed.set(container.id, timer);
    });
  }

  /** A start takes the prewarmed namespace over (under the container's lock). */
  private claimPrewarmed(containerId: string): void {
    clearTimeout(this.prewarmed.get(containerId));
    this.prewarmed.delete(containerId);
  }

  /** Deletes a prewarmed namespace no start claimed (under the container's lock); a restart waits for it. */
  private async discardPrewarmed(containerId: string): Promise<void> {
    if (!this.prewarmed.has(containerId)) return;
    this.claimPrewarmed(containerId);
    await this.releaseContainer(containerId, { evenIfUnjoined: true });
  }

  async forget(containerId: string): Promise<void> {
    await this.locks.run(containerId, async () => {
      await this.discardPrewarmed(containerId).catch(() => undefined);
      await this.releaseContainer(containerId).catch(() => undefined);
      for (const endpoint of this.options.store.listEndpoints({ containerId }))
        // After the container's record (durably) went: initialize() drops the endpoints of vanished containers.
        this.options.store.deleteEndpoint(containerId, endpoint.networkId, { durable: false });
    });
  }

  /** Gives each endpoint an address, synchronously, so two starts cannot pick the same one. */
  private assignAddresses(
    container: Container,
    joins: { network: NetworkRecord; endpoint: EndpointRecord; interfaceName: string }[],
  ): NetworkJoin[] {
    return joins.map(({ network, endpoint, interfaceName }) => {
      const subnet = parseSubnet(network.subnet ?? '');
      const used = this.usedAddresses(network, container.id);
      let ipAddress: string;
      if (endpoint.requestedIp !== undefined) {
        assertStaticAddress(subnet, endpoint.requestedIp, used);
        ipAddress = endpoint.requestedIp;
      } else {
        ipAddress = allocateAddress(subnet, used, network.ipRange !== undefined ? parseSubnet(network.ipRange) : subnet);
      }
      endpoint.ipAddress = ipAddress;
      endpoint.interfaceName = interfaceName;
      this.options.store.putEndpoint(endpoint, { durable: false });
      return { network, endpoint, dnsNames: dnsNames(container, endpoint, network), interfaceName };
    });
  }

  /** Plugs the container's namespace (which must exist) into the networks it has addresses on. */
  private plugIn(
    container: Container,
    prepared: NetworkJoin[],
    published: PublishedPort[],
    signal?: AbortSignal,
  ): Promise<JoinedInterface[]> {
    const ports: PortMapping[] = published.map((port) => ({
      hostIp: port.hostIp,
      hostPort: port.hostPort,
      containerPort: port.containerPort,
      range: 1,
      protocol: port.protocol,
    }));
    return this.options.driver.join(container.id, container.name, prepared, ports, signal);
  }

  private recordJoined(endpoint: EndpointRecord, joined: JoinedInterface, interfaceName: string): void {
    this.options.store.putEndpoint(
      {
        ...endpoint,
        ipAddress: joined.ipAddress,
        macAddress: joined.macAddress,
        endpointId: endpoint.endpointId ?? randomBytes(32).toString('hex'),
        interfaceName,
      },
      { durable: false },
    );
  }

  private usedAddresses(network: NetworkRecord, exceptContainer: string): Set<string> {
    const used = new Set<string>();
    if (network.gateway !== undefined) used.add(network.gateway);
    for (const endpoint of this.options.store.listEndpoints({ networkId: network.id })) {
      if (endpoint.containerId === exceptContainer) continue;
      if (endpoint.ipAddress !== undefined) used.add(endpoint.ipAddress);
    }
    for (const { addresses } of this.namespaceDeletions.values())
      for (const address of addresses) if (address.networkId === network.id) used.add(address.ipAddress);
    return used;
  }

  /**
   * Host ports for `-p`/`-P`: fixed ones must be free (ours and the host's), ephemeral ones are
   * picked from Docker's range; ranges take their first free port.
   */
  private async allocatePorts(container: Container): Promise<PublishedPort[]> {
    const requests = requestedPorts(container.config, container.hostConfig);
    if (requests.length === 0) return [];
    // Read-only: the frozen records, not a copy of every container per start.
    const taken: PublishedPort[] = this.options.containers
      .listFrozen()
      .filter((other) => other.id !== container.id && (other.state.status === 'running' || other.state.status === 'paused'))
      .flatMap((other) => publishedPortsOf(other.networkSettings));
    const published: PublishedPort[] = [];
    for (const request of requests) {
      const fixed = request.hostPortFirst !== undefined && request.hostPortFirst === request.hostPortLast;
      const candidates =
        request.hostPortFirst !== undefined
          ? range(request.hostPortFirst, request.hostPortLast ?? request.hostPortFirst)
          : shuffledEphemeralPorts();
      let chosen: number | undefined;
      for (const port of candidates) {
        const binding = { hostIp: request.hostIp, hostPort: port, protocol: request.protocol };
        if ([...taken, ...published].some((other) => bindingsCollide(other, binding))) continue;
        if (!(await this.options.driver.isPortFree(request.hostIp, port, request.protocol))) continue;
        chosen = port;
        break;
      }
      if (chosen === undefined) {
        const where = `${request.hostIp === '' ? '0.0.0.0' : request.hostIp}:${fixed ? String(request.hostPortFirst) : `${request.hostPortFirst ?? ephemeralPorts.first}-${request.hostPortLast ?? ephemeralPorts.last}`}`;
        throw new AppError(
          'internal',
          `driver failed programming external connectivity on endpoint ${container.name} (${container.id}): Bind for ${where} failed: port is already allocated`,
        );
      }
      published.push({
        containerPort: request.containerPort,
        protocol: request.protocol,
        hostIp: request.hostIp,
        hostPort: chosen,
      });
    }
    return published;
  }

  private async chooseAddressing(
    config: { Subnet?: string; IPRange?: string; Gateway?: string } | undefined,
  ): Promise<{ subnet: string; gateway: string; ipRange?: string }> {
    const ours = this.options.store
      .listNetworks()
      .flatMap((network) => (network.subnet !== undefined ? [parseSubnet(network.subnet)] : []));
    if (config?.Subnet !== undefined && config.Subnet !== '') {
      const subnet = parseSubnet(config.Subnet);
      assertSubnetFree(subnet, ours);
      const gateway = config.Gateway !== undefined && config.Gateway !== '' ? config.Gateway : firstHost(subnet);
      const gatewayValue = parseIpv4(gateway);
      if (gatewayValue === undefined || !subnetContains(subnet, gatewayValue))
        throw invalidArgument(`gateway ${gateway} is not in subnet ${config.Subnet}`);
      let ipRange: string | undefined;
      if (config.IPRange !== undefined && config.IPRange !== '') {
        const parsedRange = parseSubnet(config.IPRange);
        if (!subnetContains(subnet, parsedRange.network))
          throw invalidArgument(`ip-range ${config.IPRange} is not in subnet ${config.Subnet}`);
        ipRange = formatSubnet(parsedRange);
      }
      const cidr = formatSubnet(subnet);
      if (!(await this.options.driver.claimSubnet(cidr))) throw conflict('Pool overlaps with other one on this address space');
      return { subnet: cidr, gateway, ...(ipRange !== undefined ? { ipRange } : {}) };
    }
    if (config?.Gateway !== undefined && config.Gateway !== '') throw invalidArgument('a gateway needs a subnet (--subnet)');
    const taken: Ipv4Subnet[] = [...ours];
    for (const routed of await this.options.driver.routedSubnets()) {
      try {
        taken.push(parseSubnet(routed));
      } catch {
        // Host routes with host bits set (a /32 to a peer): not a pool.
      }
    }
    for (;;) {
      const subnet = pickFreeSubnet(taken);
      if (subnet === undefined)
        throw new AppError(
          'unavailable',
          'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network',
        );
      const cidr = formatSubnet(subnet);
      if (await this.options.driver.claimSubnet(cidr)) return { subnet: cidr, gateway: firstHost(subnet) };
      taken.push(subnet);
    }
  }

  private async createDefaultBridge(): Promise<void> {
    const { subnet, gateway } = await this.chooseAddressing(undefined);
    const bridgeName = this.options.defaultBridgeName;
    this.options.store.insertNetwork({
      id: randomBytes(32).toString('hex'),
      name: 'bridge',
      driver: 'bridge',
      created: new Date().toISOString(),
      subnet,
      gateway,
      bridgeName,
      internal: false,
      attachable: false,
      enableIPv6: false,
      dnsEnabled: false,
      labels: {},
      options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': bridgeName,
        'com.docker.network.driver.mtu': '1500',
      },
      ipamOptions: {},
      predefined: true,
    });
  }

  private joinedNetworks(containerId: string): { network: NetworkRecord; endpoint: EndpointRecord | undefined }[] {
    return this.options.store
      .listEndpoints({ containerId })
      .map((endpoint) => ({ network: this.networkById(endpoint.networkId), endpoint }));
  }

  /** Recomputes a container's NetworkSettings after connect/disconnect, keeping its published ports. */
  private updateSettings(containerId: string): void {
    const container = this.options.containers.get(containerId);
    if (container === undefined) return;
    const running = container.state.status === 'running' || container.state.status === 'paused';
    const settings = this.settingsFor(
      container,
      this.joinedNetworks(containerId),
      running ? publishedPortsOf(container.networkSettings) : [],
    );
    if (running) {
      settings['SandboxKey'] = container.networkSettings?.['SandboxKey'] ?? '';
      settings['SandboxID'] = container.networkSettings?.['SandboxID'] ?? '';
    }
    container.networkSettings = settings;
    this.options.containers.update(container);
  }

  /** Docker's `NetworkSettings` for inspect; the top-level address fields describe the default bridge only. */
  private settingsFor(
    container: Container,
    networks: { network: NetworkRecord; endpoint: EndpointRecord | undefined }[],
    published: PublishedPort[],
  ): Record<string, unknown> {
    const settings = emptySettings();
    settings['Ports'] =
      published.length > 0 || networks.some(({ endpoint }) => endpoint?.ipAddress !== undefined)
        ? portMap(exposedPorts(container.config, container.hostConfig), published)
        : {};
    const entries: Record<string, unknown> = {};
    for (const { network, endpoint } of networks) {
      const prefix = network.subnet !== undefined ? parseSubnet(network.subnet).prefix : 0;
      const attached = endpoint?.ipAddress !== undefined;
      const entry = {
        IPAMConfig: endpoint?.requestedIp !== undefined ? { IPv4Address: endpoint.requestedIp } : null,
        Links: null,
        Aliases: network.dnsEnabled && endpoint !== undefined ? [...endpoint.aliases, container.id.slice(0, 12)] : null,
        NetworkID: network.id,
        EndpointID: attached ? (endpoint.endpointId ?? '') : '',
        Gateway: attached ? (network.gateway ?? '') : '',
        IPAddress: attached ? (endpoint.ipAddress ?? '') : '',
        IPPrefixLen: attached ? prefix : 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        MacAddress: attached ? (endpoint.macAddress ?? '') : '',
        DriverOpts: null,
      };
      entries[network.name] = entry;
      if (network.name === 'bridge' && attached) {
        settings['EndpointID'] = entry.EndpointID;
        settings['Gateway'] = entry.Gateway;
        settings['IPAddress'] = entry.IPAddress;
        settings['IPPrefixLen'] = entry.IPPrefixLen;
        settings['MacAddress'] = entry.MacAddress;
      }
    }
    settings['Networks'] = entries;
    return settings;
  }

  private networkById(id: string): NetworkRecord {
    const network = this.options.store.listNetworks().find((candidate) => candidate.id === id);
    if (network === undefined) throw notFound(`network ${id} not found`);
    return network;
  }

  private tryFindContainer(reference: string): Container | undefined {
    const name = reference.startsWith('/') ? reference.slice(1) : reference;
    const byName = this.options.containers.findByName(name);
    if (byName !== undefined) return byName;
    if (!/^[a-f0-9]+$/.test(reference)) return undefined;
    const matches = this.options.containers.list().filter((container) => container.id.startsWith(reference));
    return matches.length === 1 ? matches[0] : undefined;
  }

  private findContainer(reference: string): Container {
    const container = this.options.containers.get(reference) ?? this.tryFindContainer(reference);
    if (container === undefined) throw notFound(`No such container: ${reference}`);
    return container;
  }

  private publish(network: NetworkRecord, action: string, extra: Record<string, string> = {}): void {
    this.options.events.publish({
      type: 'network',
      action,
      actor: { id: network.id, attributes: { name: network.name, type: network.driver, ...extra } },
    });
  }
}

function predefinedNetwork(name: string, driver: 'host' | 'null'): NetworkRecord {
  return {
    id: randomBytes(32).toString('hex'),
    name,
    driver,
    created: new Date().toISOString(),
    internal: false,
    attachable: false,
    enableIPv6: false,
    dnsEnabled: false,
    labels: {},
    options: {},
    ipamOptions: {},
    predefined: true,
  };
}

function uniquePrefix(networks: NetworkRecord[], reference: string): NetworkRecord | undefined {
  if (!/^[a-f0-9]+$/.test(reference)) return undefined;
  const matches = networks.filter((network) => network.id.startsWith(reference));
  if (matches.length > 1)
    throw invalidArgument(`network ${reference} is ambiguous (${matches.length} matches found based on ID prefix)`);
  return matches[0];
}

function endpointsConfigOf(networkingConfig: unknown): Record<string, EndpointConfig> {
  if (networkingConfig === undefined || networkingConfig === null || typeof networkingConfig !== 'object') return {};
  const endpoints = (networkingConfig as { EndpointsConfig?: unknown }).EndpointsConfig;
  if (endpoints === undefined || endpoints === null) return {};
  if (typeof endpoints !== 'object' || Array.isArray(endpoints))
    throw invalidArgument('invalid NetworkingConfig.EndpointsConfig');
  return endpoints as Record<string, EndpointConfig>;
}

function endpointFromConfig(containerId: string, network: NetworkRecord, config: EndpointConfig | null): EndpointRecord {
  const aliases = (config?.Aliases ?? []).filter((alias) => typeof alias === 'string' && alias !== '');
  if (aliases.length > 0 && !network.dnsEnabled)
    throw invalidArgument('network-scoped alias is supported only for containers in user defined networks');
  const requestedIp = config?.IPAMConfig?.IPv4Address;
  if (requestedIp !== undefined && requestedIp !== '') {
    if (network.name === 'bridge') throw invalidArgument('user specified IP address is supported on user defined networks only');
    assertStaticAddress(
      parseSubnet(network.subnet ?? ''),
      requestedIp,
      new Set(network.gateway !== undefined ? [network.gateway] : []),
    );
  }
  return {
    containerId,
    networkId: network.id,
    aliases: [...new Set(aliases)],
    ...(requestedIp !== undefined && requestedIp !== '' ? { requestedIp } : {}),
  };
}

function nextInterfaceName(endpoints: EndpointRecord[]): string {
  const used = new Set(endpoints.map((endpoint) => endpoint.interfaceName));
  for (let index = 0; ; index++) if (!used.has(`eth${index}`)) return `eth${index}`;
}

/** The names of the container's own /etc/hosts lines: `host.domain host`, or the hostname. */
function hostsNames(container: Container): string {
  const hostname = container.config.Hostname ?? container.id.slice(0, 12);
  const domain = container.config.Domainname;
  return domain !== undefined && domain !== '' ? `${hostname}.${domain}\t${hostname}` : hostname;
}

function dnsNames(container: Container, endpoint: EndpointRecord, network: NetworkRecord): string[] {
  if (!network.dnsEnabled) return [];
  return [...new Set([container.name, ...endpoint.aliases, container.id.slice(0, 12)])];
}

/** The host bindings recorded in a container's `NetworkSettings.Ports`. */
export function publishedPortsOf(settings: Record<string, unknown> | undefined): PublishedPort[] {
  const ports = settings?.['Ports'];
  if (ports === undefined || ports === null || typeof ports !== 'object') return [];
  const published: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(ports as Record<string, { HostIp?: string; HostPort?: string }[] | null>)) {
    const [port, protocol] = key.split('/');
    for (const binding of bindings ?? [])
      published.push({
        containerPort: Number(port),
        protocol: (protocol ?? 'tcp') as PublishedPort['protocol'],
        hostIp: binding.HostIp === '0.0.0.0' ? '' : (binding.HostIp ?? ''),
        hostPort: Number(binding.HostPort),
      });
  }
  return published;
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

/** Ephemeral ports starting at a random offset (two engines rarely try the same one first). */
function shuffledEphemeralPorts(): number[] {
  const all = range(ephemeralPorts.first, ephemeralPorts.last);
  const offset = Math.floor(Math.random() * all.length);
  return [...all.slice(offset), ...all.slice(0, offset)];
}
