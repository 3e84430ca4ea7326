import type { AppHandlers, NetworkSummary } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import { arr, bool, obj, optStr, str, stringRecord, type Json } from './json.js';

export function toNetworkSummary(value: unknown): NetworkSummary {
  const n = obj(value);
  const network: NetworkSummary = {
    id: str(n['Id']),
    name: str(n['Name']),
    driver: str(n['Driver']),
    scope: str(n['Scope'], 'local'),
    internal: bool(n['Internal']),
    attachable: bool(n['Attachable']),
    subnets: arr(obj(n['IPAM'])['Config'])
      .map((config) => str(obj(config)['Subnet']))
      .filter((subnet) => subnet !== ''),
    containerCount: Object.keys(obj(n['Containers'])).length,
    labels: stringRecord(n['Labels']),
  };
  const created = optStr(n['Created']);
  if (created !== undefined) network.created = created;
  return network;
}

export function createNetworkHandlers(docker: DockerClient): AppHandlers['networks'] {
  return {
    async list(_input, { signal }) {
      return arr(await docker.json({ method: 'GET', path: '/networks', signal })).map(toNetworkSummary);
    },
    async inspect(input, { signal }) {
      return obj(await docker.json<Json>({ method: 'GET', path: `/networks/${encodeURIComponent(input.id)}`, signal }));
    },
    async create(input, { signal }) {
      const body: Json = { Name: input.name, CheckDuplicate: true };
      if (input.driver !== undefined) body['Driver'] = input.driver;
      if (input.internal !== undefined) body['Internal'] = input.internal;
      if (input.labels !== undefined) body['Labels'] = input.labels;
      if (input.subnet !== undefined) body['IPAM'] = { Driver: 'default', Config: [{ Subnet: input.subnet }] };
      const raw = obj(await docker.json({ method: 'POST', path: '/networks/create', body, signal }));
      return { id: str(raw['Id']) };
    },
    async remove(input, { signal }) {
      await docker.json({ method: 'DELETE', path: `/networks/${encodeURIComponent(input.id)}`, signal });
    },
  };
}
