import type { EndpointRecord, NetworkRecord } from './network.js';

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

/** One published port range: host `hostPort..hostPort+range-1` to container `containerPort..`. */
export interface PortMapping {
  /** Empty for every host address. */
  hostIp: string;
  hostPort: number;
  containerPort: number;
  range: number;
  protocol: PortProtocol;
}

export interface NetworkJoin {
  network: NetworkRecord;
  endpoint: EndpointRecord;
  /** Names other containers resolve to this one on this network (DNS-enabled networks). */
  dnsNames: string[];
  interfaceName: string;
}

export interface JoinedInterface {
  networkId: string;
  macAddress: string;
  ipAddress: string;
  prefixLength: number;
  gateway: string;
}

/** A namespace being deleted after `release`. */
export interface NamespaceRelease {
  namespaceGone: Promise<void>;
}

/**
 * Plugs network namespaces into host networks (veths, bridges, NAT and port-forwarding rules,
 * name service) and owns the namespaces themselves. Keyed by container ID; every call idempotent.
 */
export interface NetworkDriver {
  /** Path of the container's namespace when one exists. */
  namespacePath(containerId: string): Promise<string | undefined>;
  /** Creates the container's named network namespace (loopback only) unless it exists; returns its path. */
  createNamespace(containerId: string): Promise<string>;
  /** Connects the container's named network namespace (which must exist) to networks; port mappings go with the first join. */
  join(
    containerId: string,
    containerName: string,
    joins: NetworkJoin[],
    ports: PortMapping[],
    signal?: AbortSignal,
  ): Promise<JoinedInterface[]>;
  /** Disconnects from some networks (`docker network disconnect`), removing veths and rules. */
  leave(containerId: string, networkIds: string[]): Promise<void>;
  /**
   * Disconnects from every network (ports and rules go before it resolves) and deletes the
   * namespace, which may still be going on: until `namespaceGone` settles, the namespace's
   * interfaces keep their addresses.
   */
  release(containerId: string): Promise<NamespaceRelease>;
  /** IPv4 subnets the host already routes (so new networks avoid them). */
  routedSubnets(): Promise<string[]>;
  /** Reserves a subnet host-wide, so engines on other data roots do not pick it too. False when taken. */
  claimSubnet(subnet: string): Promise<boolean>;
  releaseSubnet(subnet: string): Promise<void>;
  /** Whether a host port can be bound right now. */
  isPortFree(hostIp: string, port: number, protocol: PortProtocol): Promise<boolean>;
  /** At engine start: brings back what lives in the engine process (port proxies) for containers still running. */
  restore(isRunning: (containerId: string) => boolean): Promise<void>;
  /** At engine stop: releases what lives in the engine process; running containers keep their interfaces. */
  close(): Promise<void>;
}
