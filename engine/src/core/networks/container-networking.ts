import type { Container } from '../containers/container.js';

/** How a started container is connected: what its task joins and what it is told about names. */
export interface NetworkAttachment {
  /** Network namespace for the task to join; undefined lets the runtime make a private one (loopback only). */
  namespacePath?: string;
  /** `--network host`: no network namespace at all. */
  hostNetwork?: boolean;
  /** Lines for /etc/hosts after the localhost entries (e.g. `172.17.0.2\tweb`). */
  hostsEntries: string[];
  /** Content of /etc/resolv.conf; undefined keeps the default (the host's, without loopback servers). */
  resolvConf?: string;
  /**
   * Docker's `NetworkSettings` (inspect), once every interface is up. The namespace exists when
   * attach() resolves, so the task can be created while its interfaces are still being plugged in;
   * it must not start before this resolves.
   */
  interfacesUp: Promise<Record<string, unknown>>;
}

/** What detach() leaves to say: the `network disconnect` events, which dockerd publishes after `die`. */
export interface NetworksLeft {
  announce(): void;
}

/**
 * Connects containers to networks around their task's life: attach() before the task is created,
 * detach() after it exited (both idempotent, both called again after an engine restart).
 */
export interface ContainerNetworking {
  attach(container: Container, signal?: AbortSignal): Promise<NetworkAttachment>;
  detach(container: Container): Promise<NetworksLeft>;
  /** The container is gone: its endpoints go too (an address stays taken until its namespace is gone). */
  forget?(containerId: string): Promise<void>;
  /** The container was just created: what its start will need may be made ready now. Callers ignore failures: the start meets them. */
  prewarm?(container: Container): Promise<void>;
  /**
   * Called once by create, before the record is stored: checks the networks the container asks
   * for (`HostConfig.NetworkMode`, `NetworkingConfig.EndpointsConfig`; an unknown one is not-found)
   * and records its endpoint configuration (aliases, static addresses).
   */
  register?(container: Container, networkingConfig: unknown): Promise<void>;
}
