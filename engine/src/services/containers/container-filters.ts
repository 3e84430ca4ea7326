import { invalidArgument } from '@berth/common';
import type { Container, ContainerStatus } from '../../core/containers/container.js';
import type { ContainerHealthSource } from '../../core/containers/container-health.js';

export type ContainerFilters = Map<string, string[]>;

const statuses: readonly ContainerStatus[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const healthStates = ['starting', 'healthy', 'unhealthy', 'none'];

/** What filtering needs beyond the records: image references and before/since containers, resolved. */
export interface FilterContext {
  /** Image IDs each `ancestor` value names (an unknown image names none). */
  ancestorImageIds: Set<string>;
  /** Creation time bounds from `before`/`since` (ms since epoch). */
  createdBefore?: number;
  createdSince?: number;
  /** Where healthcheck states live (the health monitor); without one every container is `none`. */
  health?: ContainerHealthSource;
}

/** The keys `docker ps --filter` sends (and docker-py/compose); anything else is refused as dockerd does. */
const knownKeys = new Set([
  'id',
  'name',
  'status',
  'label',
  'label!',
  'ancestor',
  'exited',
  'before',
  'since',
  'health',
  'volume',
  'network',
  'publish',
  'expose',
  'is-task',
]);

export function checkFilters(filters: ContainerFilters): void {
  for (const [key, values] of filters) {
    if (!knownKeys.has(key)) throw invalidArgument(`invalid filter '${key}'`);
    for (const value of values) {
      if (key === 'status' && !statuses.includes(value as ContainerStatus))
        throw invalidArgument(`invalid filter 'status=${value}'`);
      if (key === 'health' && !healthStates.includes(value)) throw invalidArgument(`invalid filter 'health=${value}'`);
      if (key === 'exited' && !/^-?\d+$/.test(value)) throw invalidArgument(`invalid filter 'exited=${value}'`);
      if (key === 'is-task' && value !== 'true' && value !== 'false') throw invalidArgument(`invalid filter 'is-task=${value}'`);
    }
  }
}

/** dockerd's container list filters: values of one key are ORed, different keys ANDed. */
export function matchesContainerFilters(container: Container, filters: ContainerFilters, context: FilterContext): boolean {
  const created = Date.parse(container.created);
  if (context.createdBefore !== undefined && !(created < context.createdBefore)) return false;
  if (context.createdSince !== undefined && !(created > context.createdSince)) return false;
  for (const [key, values] of filters) {
    if (values.length === 0) continue;
    const any = (predicate: (value: string) => boolean): boolean => values.some(predicate);
    switch (key) {
      case 'id':
        if (!any((value) => container.id.startsWith(value))) return false;
        break;
      case 'name':
        // A regular expression against the name with its slash, as dockerd matches it.
        if (!any((value) => safeRegExp(value).test(`/${container.name}`))) return false;
        break;
      case 'status':
        if (!any((value) => value === container.state.status)) return false;
        break;
      case 'label':
        if (!values.every((value) => labelMatches(container, value))) return false;
        break;
      case 'label!':
        if (values.some((value) => labelMatches(container, value))) return false;
        break;
      case 'ancestor':
        if (!context.ancestorImageIds.has(container.imageId)) return false;
        break;
      case 'exited':
        if (container.state.status !== 'exited' || !any((value) => Number(value) === container.state.exitCode)) return false;
        break;
      case 'health':
        if (!any((value) => value === healthStatus(container, context.health))) return false;
        break;
      case 'volume':
        if (!any((value) => mountNames(container).includes(value))) return false;
        break;
      case 'network':
        if (!any((value) => networkNames(container).includes(value))) return false;
        break;
      case 'publish':
        if (!any((value) => publishedPorts(container).has(normalisePort(value)))) return false;
        break;
      case 'expose':
        if (!any((value) => exposedPorts(container).has(normalisePort(value)))) return false;
        break;
      case 'is-task':
        // Berth has no swarm tasks.
        if (values.includes('true')) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

function safeRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    throw invalidArgument(`invalid filter 'name=${pattern}'`);
  }
}

function labelMatches(container: Container, filter: string): boolean {
  const labels = container.config.Labels ?? {};
  const separator = filter.indexOf('=');
  if (separator === -1) return filter in labels;
  return labels[filter.slice(0, separator)] === filter.slice(separator + 1);
}

/** `starting`, `healthy`, `unhealthy`, or `none` when the container has no healthcheck (State.Health is null). */
export function healthStatus(container: Container, source: ContainerHealthSource | undefined): string {
  return source?.healthOf(container.id)?.Status ?? 'none';
}

function mountNames(container: Container): string[] {
  return (container.mountPoints ?? []).flatMap((mount) =>
    [mount['Name'], mount['Source'], mount['Destination']].filter((value): value is string => typeof value === 'string'),
  );
}

function networkNames(container: Container): string[] {
  const networks = container.networkSettings?.['Networks'];
  const names = networks !== null && typeof networks === 'object' ? Object.keys(networks) : [];
  const settingsIds =
    networks !== null && typeof networks === 'object'
      ? Object.values(networks as Record<string, { NetworkID?: unknown }>)
          .map((network) => network.NetworkID)
          .filter((id): id is string => typeof id === 'string')
      : [];
  const mode = container.hostConfig.NetworkMode;
  return [...names, ...settingsIds, ...(mode !== undefined ? [mode] : [])];
}

/** `8080`, `8080/tcp` → `8080/tcp`. */
function normalisePort(value: string): string {
  return value.includes('/') ? value : `${value}/tcp`;
}

function exposedPorts(container: Container): Set<string> {
  return new Set(Object.keys(container.config.ExposedPorts ?? {}).map(normalisePort));
}

/** Host ports of the container's bindings (`publish=8080` matches `-p 8080:80`). */
function publishedPorts(container: Container): Set<string> {
  const result = new Set<string>();
  const bindings = (container.hostConfig['PortBindings'] ?? {}) as Record<string, { HostPort?: string }[] | null>;
  for (const [containerPort, hostBindings] of Object.entries(bindings)) {
    const protocol = containerPort.split('/')[1] ?? 'tcp';
    for (const binding of hostBindings ?? [])
      if (binding.HostPort !== undefined && binding.HostPort !== '') result.add(`${binding.HostPort}/${protocol}`);
  }
  return result;
}
