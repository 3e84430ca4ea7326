import { invalidArgument } from '@berth/common';
import type { ContainerConfig, HostConfig } from '../../core/containers/container.js';
import type { PortProtocol } from '../../core/networks/network-driver.js';

/** A container port and how it should be published: a fixed host port, a range to pick from, or any. */
export interface PortRequest {
  containerPort: number;
  protocol: PortProtocol;
  hostIp: string;
  /** Undefined: an ephemeral port. */
  hostPortFirst?: number;
  hostPortLast?: number;
}

export interface PortKey {
  port: number;
  protocol: PortProtocol;
}

/** Parses Docker's `80/tcp` (protocol defaults to tcp). */
export function parsePortKey(key: string): PortKey {
  const match = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(key.trim().toLowerCase());
  const port = Number(match?.[1]);
  if (match === null || !(port >= 1 && port <= 65535)) throw invalidArgument(`invalid port specification: "${key}"`);
  return { port, protocol: (match[2] ?? 'tcp') as PortProtocol };
}

/** Parses a `HostPort`: empty (ephemeral), `8080`, or a range `8000-8010`. */
export function parseHostPort(value: string | undefined): { first?: number; last?: number } {
  const text = (value ?? '').trim();
  if (text === '' || text === '0') return {};
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const first = Number(match?.[1]);
  const last = match?.[2] !== undefined ? Number(match[2]) : first;
  if (match === null || !(first >= 1 && first <= 65535 && last >= first && last <= 65535))
    throw invalidArgument(`invalid hostPort: ${text}`);
  return { first, last };
}

/** Every port the container exposes: `ExposedPorts` (image and `--expose`) and published ones. */
export function exposedPorts(config: ContainerConfig, hostConfig: HostConfig): string[] {
  const keys = new Set<string>();
  for (const key of Object.keys(config.ExposedPorts ?? {})) keys.add(normalizeKey(key));
  for (const key of Object.keys(portBindingsOf(hostConfig))) keys.add(normalizeKey(key));
  return [...keys];
}

function normalizeKey(key: string): string {
  const { port, protocol } = parsePortKey(key);
  return `${port}/${protocol}`;
}

function portBindingsOf(hostConfig: HostConfig): Record<string, { HostIp?: string; HostPort?: string }[] | null> {
  const bindings = hostConfig['PortBindings'];
  if (bindings === undefined || bindings === null) return {};
  if (typeof bindings !== 'object' || Array.isArray(bindings)) throw invalidArgument('invalid PortBindings');
  return bindings as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
}

/** `PortBindings` plus, with `PublishAllPorts` (`-P`), every other exposed port on an ephemeral host port. */
export function requestedPorts(config: ContainerConfig, hostConfig: HostConfig): PortRequest[] {
  const requests: PortRequest[] = [];
  const bound = new Set<string>();
  for (const [key, bindings] of Object.entries(portBindingsOf(hostConfig))) {
    const { port, protocol } = parsePortKey(key);
    for (const binding of bindings ?? []) {
      const hostIp = (binding.HostIp ?? '').trim();
      if (hostIp === '::' || hostIp.includes(':')) continue; // IPv4 only: Docker's "::" twin of "0.0.0.0".
      const { first, last } = parseHostPort(binding.HostPort);
      bound.add(`${port}/${protocol}`);
      requests.push({
        containerPort: port,
        protocol,
        hostIp: hostIp === '0.0.0.0' ? '' : hostIp,
        ...(first !== undefined ? { hostPortFirst: first } : {}),
        ...(last !== undefined ? { hostPortLast: last } : {}),
      });
    }
  }
  if (hostConfig['PublishAllPorts'] === true) {
    for (const key of exposedPorts(config, hostConfig)) {
      if (bound.has(key)) continue;
      const { port, protocol } = parsePortKey(key);
      requests.push({ containerPort: port, protocol, hostIp: '' });
    }
  }
  return requests;
}

/** A published port after allocation. */
export interface PublishedPort {
  containerPort: number;
  protocol: PortProtocol;
  hostIp: string;
  hostPort: number;
}

/** Docker's `NetworkSettings.Ports`: every exposed port, with its host bindings or null. */
export function portMap(exposed: readonly string[], published: readonly PublishedPort[]): Record<string, unknown> {
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of exposed) ports[key] = null;
  for (const port of published) {
    const key = `${port.containerPort}/${port.protocol}`;
    const list = ports[key] ?? [];
    list.push({ HostIp: port.hostIp === '' ? '0.0.0.0' : port.hostIp, HostPort: String(port.hostPort) });
    ports[key] = list;
  }
  return ports;
}

/** Two bindings collide when protocol and port match and either listens on every address. */
export function bindingsCollide(a: { hostIp: string; hostPort: number; protocol: PortProtocol }, b: typeof a): boolean {
  return a.protocol === b.protocol && a.hostPort === b.hostPort && (a.hostIp === '' || b.hostIp === '' || a.hostIp === b.hostIp);
}
