import { invalidArgument } from '@berth/common';
import type { NetworkRecord } from '../../core/networks/network.js';

/** `GET /networks?filters=`: key to accepted values. */
export type NetworkFilters = Map<string, string[]>;

const knownKeys = new Set(['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling']);

/** Docker's network filters: values of one key are alternatives, keys must all match. */
export function matchNetwork(network: NetworkRecord, filters: NetworkFilters, endpointCount: number): boolean {
  for (const [key, values] of filters) {
    if (!knownKeys.has(key)) throw invalidArgument(`invalid filter '${key}'`);
    if (values.length === 0) continue;
    const matches = values.some((value) => {
      switch (key) {
        case 'driver':
          return network.driver === value;
        case 'id':
          return network.id.startsWith(value);
        case 'name':
          return network.name.includes(value);
        case 'scope':
          return value === 'local';
        case 'type':
          if (value !== 'custom' && value !== 'builtin') throw invalidArgument(`invalid filter: 'type'='${value}'`);
          return value === 'builtin' ? network.predefined : !network.predefined;
        case 'dangling': {
          const dangling = value === 'true' || value === '1';
          return dangling === (!network.predefined && endpointCount === 0);
        }
        default:
          return matchLabel(network.labels, value);
      }
    });
    if (!matches) return false;
  }
  return true;
}

/** `label=key` (present) or `label=key=value`. */
export function matchLabel(labels: Record<string, string>, filter: string): boolean {
  const separator = filter.indexOf('=');
  if (separator === -1) return Object.hasOwn(labels, filter);
  return labels[filter.slice(0, separator)] === filter.slice(separator + 1);
}
