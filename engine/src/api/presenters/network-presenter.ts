import type { NetworkRecord } from '../../core/networks/network.js';
import type { NetworkMember } from '../../services/networks/network-service.js';

/** Docker's network object; `Containers` lists attached (running) members, with addresses. */
export function presentNetwork(network: NetworkRecord, members: NetworkMember[]): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const { container, endpoint } of members) {
    if (container === undefined || endpoint.ipAddress === undefined) continue;
    const prefix = network.subnet?.split('/')[1] ?? '0';
    containers[container.id] = {
      Name: container.name,
      EndpointID: endpoint.endpointId ?? '',
      MacAddress: endpoint.macAddress ?? '',
      IPv4Address: `${endpoint.ipAddress}/${prefix}`,
      IPv6Address: '',
    };
  }
  return {
    Name: network.name,
    Id: network.id,
    Created: network.created,
    Scope: 'local',
    Driver: network.driver,
    EnableIPv6: network.enableIPv6,
    IPAM: {
      Driver: 'default',
      Options: network.predefined ? null : network.ipamOptions,
      Config:
        network.subnet !== undefined
          ? [
              {
                Subnet: network.subnet,
                Gateway: network.gateway,
                ...(network.ipRange !== undefined ? { IPRange: network.ipRange } : {}),
              },
            ]
          : [],
    },
    Internal: network.internal,
    Attachable: network.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: network.options,
    Labels: network.labels,
  };
}

/** `Ports` of a container list item from its `NetworkSettings.Ports` (`docker ps`). */
export function presentPortList(settings: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const ports = settings?.['Ports'];
  if (ports === undefined || ports === null || typeof ports !== 'object') return [];
  const list: Record<string, unknown>[] = [];
  for (const [key, bindings] of Object.entries(ports as Record<string, { HostIp?: string; HostPort?: string }[] | null>)) {
    const [port, protocol] = key.split('/');
    const privatePort = Number(port);
    const type = protocol ?? 'tcp';
    if (bindings === null || bindings.length === 0) list.push({ PrivatePort: privatePort, Type: type });
    else
      for (const binding of bindings)
        list.push({
          IP: binding.HostIp ?? '0.0.0.0',
          PrivatePort: privatePort,
          PublicPort: Number(binding.HostPort),
          Type: type,
        });
  }
  return list;
}
