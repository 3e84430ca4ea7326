import { readFile } from 'node:fs/promises';
import { invalidArgument } from '@berth/common';
import type { HostConfig } from '../../core/containers/container.js';

/**
 * `/etc/hosts` lines for `--add-host name:ip`; `host-gateway` is the host's address on the
 * container's first network (its bridge's gateway), which the container can always reach.
 */
export function extraHostsEntries(extraHosts: unknown, hostGateway: string): string[] {
  if (extraHosts === undefined || extraHosts === null) return [];
  if (!Array.isArray(extraHosts)) throw invalidArgument('invalid ExtraHosts');
  return extraHosts.map((entry) => {
    const text = String(entry);
    const separator = /[:=]/.exec(text);
    if (separator === null) throw invalidArgument(`bad format for add-host: "${text}"`);
    const name = text.slice(0, separator.index);
    let address = text.slice(separator.index + 1);
    if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
    if (name === '' || address === '') throw invalidArgument(`bad format for add-host: "${text}"`);
    if (address === 'host-gateway') {
      if (hostGateway === '') throw invalidArgument('unable to derive the IP value for host-gateway');
      address = hostGateway;
    }
    return `${address}\t${name}`;
  });
}

/**
 * The container's resolv.conf: on a network with a name service, its server (aardvark-dns on the
 * gateway, which forwards other names to the host's resolvers) first; `--dns`, `--dns-search`
 * and `--dns-option` replace the host's values as with dockerd; loopback servers never reach a
 * container and are dropped.
 */
export async function containerResolvConf(hostConfig: HostConfig, nameServiceAddress: string | undefined): Promise<string> {
  let host = '';
  try {
    host = await readFile('/etc/resolv.conf', 'utf8');
  } catch {
    // No host resolv.conf: the fallbacks below apply.
  }
  return buildResolvConf(host, {
    dns: stringList(hostConfig['Dns']),
    search: stringList(hostConfig['DnsSearch']),
    options: stringList(hostConfig['DnsOptions']),
    ...(nameServiceAddress !== undefined ? { nameServiceAddress } : {}),
  });
}

export function buildResolvConf(
  host: string,
  custom: { dns: string[]; search: string[]; options: string[]; nameServiceAddress?: string },
): string {
  const hostLines = host.split('\n').map((line) => line.trim());
  const valuesOf = (keyword: string): string[] =>
    hostLines
      .filter((line) => line.startsWith(`${keyword} `) || line.startsWith(`${keyword}\t`))
      .flatMap((line) => line.split(/\s+/).slice(1));
  let servers = custom.dns.length > 0 ? custom.dns : valuesOf('nameserver').filter((server) => !/^(127\.|::1$)/.test(server));
  if (servers.length === 0 && custom.nameServiceAddress === undefined) servers = ['8.8.8.8', '8.8.4.4'];
  if (custom.nameServiceAddress !== undefined)
    servers = [custom.nameServiceAddress, ...servers.filter((server) => server !== custom.nameServiceAddress)];
  const search = custom.search.length > 0 ? custom.search.filter((domain) => domain !== '.') : valuesOf('search');
  const options = custom.options.length > 0 ? custom.options : valuesOf('options');
  const lines = [
    ...(search.length > 0 ? [`search ${search.join(' ')}`] : []),
    ...servers.map((server) => `nameserver ${server}`),
    ...(options.length > 0 ? [`options ${options.join(' ')}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String).filter((item) => item !== '') : [];
}
