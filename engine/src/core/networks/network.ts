import type { StoreWriteOptions } from '../store-write.js';
/** A network as the engine keeps it (Docker's model: bridge networks plus the predefined host/none). */
export interface NetworkRecord {
  id: string;
  name: string;
  /** `bridge`, or `host`/`null` for the predefined networks without interfaces. */
  driver: 'bridge' | 'host' | 'null';
  /** ISO timestamp. */
  created: string;
  /** IPv4 subnet in CIDR form (bridge networks only). */
  subnet?: string;
  gateway?: string;
  /** Sub-range containers get dynamic addresses from (`--ip-range`). */
  ipRange?: string;
  /** Name of the host's bridge interface. */
  bridgeName?: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  /** Containers resolve each other by name (user-defined networks; not the default bridge). */
  dnsEnabled: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  ipamOptions: Record<string, string>;
  /** `bridge`, `host` and `none`: created by the engine, cannot be removed. */
  predefined: boolean;
}

/** A container's membership of one network: its configuration, and its address while it runs. */
export interface EndpointRecord {
  containerId: string;
  networkId: string;
  /** `--network-alias` and compose's service names. */
  aliases: string[];
  /** `--ip`: a static address. */
  requestedIp?: string;
  /** Set while the container is attached. */
  ipAddress?: string;
  macAddress?: string;
  endpointId?: string;
  interfaceName?: string;
}

/** Durable network and endpoint records. Every call is atomic. */
export interface NetworkStore {
  listNetworks(): NetworkRecord[];
  insertNetwork(network: NetworkRecord): void;
  deleteNetwork(id: string): void;
  listEndpoints(filter?: { containerId?: string; networkId?: string }): EndpointRecord[];
  putEndpoint(endpoint: EndpointRecord, options?: StoreWriteOptions): void;
  deleteEndpoint(containerId: string, networkId: string, options?: StoreWriteOptions): void;
}
