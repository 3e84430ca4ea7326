import type { Container } from '../../core/containers/container.js';
import type { ContainerNetworking, NetworkAttachment, NetworksLeft } from '../../core/networks/container-networking.js';

/**
 * Networking for `--network none` (and the default until bridge networking is configured): each
 * container gets a private network namespace with only a loopback interface; `host` shares the host's.
 */
export class IsolatedNetworking implements ContainerNetworking {
  async attach(container: Container): Promise<NetworkAttachment> {
    const mode = container.hostConfig.NetworkMode ?? 'bridge';
    if (mode === 'host') return { hostNetwork: true, hostsEntries: [], interfacesUp: Promise.resolve(emptySettings()) };
    return { hostsEntries: [], interfacesUp: Promise.resolve(emptySettings()) };
  }

  async detach(): Promise<NetworksLeft> {
    // Nothing was set up outside the task's own namespace.
    return { announce: () => undefined };
  }
}

export function emptySettings(): Record<string, unknown> {
  return {
    Bridge: '',
    SandboxID: '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: {},
    SandboxKey: '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: '',
    Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    MacAddress: '',
    Networks: {},
  };
}
