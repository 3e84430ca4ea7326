import type {
  JoinedInterface,
  NamespaceRelease,
  NetworkDriver,
  NetworkJoin,
  PortMapping,
  PortProtocol,
} from '../../core/networks/network-driver.js';
import type { NetworkRecord } from '../../core/networks/network.js';
import type { LinuxBridgeDriver } from './linux-bridge-driver.js';
import type { NetavarkDriver } from './netavark-driver.js';

/**
 * Sends the default bridge network to the lightweight Linux bridge driver and every other network
 * (user networks with names, internal networks) to netavark. Namespaces, subnets and host-port
 * checks are shared, so they stay with netavark's implementation.
 */
export class RoutingNetworkDriver implements NetworkDriver {
  constructor(
    private readonly netavark: NetavarkDriver,
    private readonly linuxBridge: LinuxBridgeDriver,
  ) {}

  namespacePath(containerId: string): Promise<string | undefined> {
    return this.netavark.namespacePath(containerId);
  }

  createNamespace(containerId: string): Promise<string> {
    return this.netavark.createNamespace(containerId);
  }

  /** One network at a time, in order: interface names and the first join's ports stay where the caller put them. */
  async join(
    containerId: string,
    containerName: string,
    joins: NetworkJoin[],
    ports: PortMapping[],
    signal?: AbortSignal,
  ): Promise<JoinedInterface[]> {
    const joined: JoinedInterface[] = [];
    for (const [index, join] of joins.entries()) {
      const portsHere = index === 0 ? ports : [];
      if (usesLinuxBridge(join.network)) {
        joined.push(await this.linuxBridge.join(containerId, join, portsHere, signal !== undefined ? { signal } : {}));
      } else {
        joined.push(...(await this.netavark.join(containerId, containerName, [join], portsHere, signal)));
      }
    }
    return joined;
  }

  async leave(containerId: string, networkIds: string[]): Promise<void> {
    const results = await Promise.allSettled([
      this.linuxBridge.leave(containerId, networkIds),
      this.netavark.leave(containerId, networkIds),
    ]);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** netavark's teardown needs the namespace, so it goes first; the bridge side deletes the namespace with its veths. */
  async release(containerId: string): Promise<NamespaceRelease> {
    const netavarkDone = await this.netavark.leave(containerId).then(
      () => undefined,
      (error: unknown) => error,
    );
    const release = await this.linuxBridge.release(containerId);
    if (netavarkDone === undefined) return release;
    await release.namespaceGone.catch(() => undefined);
    throw netavarkDone;
  }

  routedSubnets(): Promise<string[]> {
    return this.netavark.routedSubnets();
  }

  claimSubnet(subnet: string): Promise<boolean> {
    return this.netavark.claimSubnet(subnet);
  }

  releaseSubnet(subnet: string): Promise<void> {
    return this.netavark.releaseSubnet(subnet);
  }

  isPortFree(hostIp: string, port: number, protocol: PortProtocol): Promise<boolean> {
    return this.netavark.isPortFree(hostIp, port, protocol);
  }

  async restore(isRunning: (containerId: string) => boolean): Promise<void> {
    await this.linuxBridge.restore(isRunning);
    await this.netavark.restore();
  }

  async close(): Promise<void> {
    await this.linuxBridge.close();
    await this.netavark.close();
  }
}

/** The predefined `bridge` network has no names to serve, so it needs nothing netavark adds. */
function usesLinuxBridge(network: NetworkRecord): boolean {
  return network.predefined && network.driver === 'bridge';
}
