import { AppError, conflict, invalidArgument } from '@berth/common';

/** An IPv4 subnet: network address and prefix length, as integers. */
export interface Ipv4Subnet {
  network: number;
  prefix: number;
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff - (2 ** (32 - prefix) - 1)) >>> 0;
}

/** Parses `a.b.c.d/n`; host bits must be zero, as Docker requires. */
export function parseSubnet(cidr: string): Ipv4Subnet {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  const address = match?.[1] !== undefined ? parseIpv4(match[1]) : undefined;
  const prefix = Number(match?.[2]);
  if (address === undefined || !(prefix >= 0 && prefix <= 32)) throw invalidArgument(`invalid CIDR address: ${cidr}`);
  const network = (address & maskOf(prefix)) >>> 0;
  if (network !== address) throw invalidArgument(`invalid subnet ${cidr}: it should be ${formatIpv4(network)}/${prefix}`);
  return { network, prefix };
}

export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${formatIpv4(subnet.network)}/${subnet.prefix}`;
}

function size(subnet: Ipv4Subnet): number {
  return 2 ** (32 - subnet.prefix);
}

export function subnetContains(subnet: Ipv4Subnet, address: number): boolean {
  return address >= subnet.network && address < subnet.network + size(subnet);
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return a.network < b.network + size(b) && b.network < a.network + size(a);
}

/** Docker's default address pools: 172.17-31.0.0/16, then 192.168.0.0/16 cut into /20s. */
export function defaultPools(): Ipv4Subnet[] {
  const pools: Ipv4Subnet[] = [];
  for (let second = 17; second <= 31; second++) pools.push({ network: (172 * 2 ** 24 + second * 2 ** 16) >>> 0, prefix: 16 });
  for (let third = 0; third < 256; third += 16)
    pools.push({ network: (192 * 2 ** 24 + 168 * 2 ** 16 + third * 256) >>> 0, prefix: 20 });
  return pools;
}

/** The first default pool that overlaps none of `taken`. */
export function pickFreeSubnet(taken: readonly Ipv4Subnet[]): Ipv4Subnet | undefined {
  return defaultPools().find((pool) => !taken.some((used) => subnetsOverlap(pool, used)));
}

/** Checks a requested subnet against the ones in use (Docker's wording). */
export function assertSubnetFree(requested: Ipv4Subnet, taken: readonly Ipv4Subnet[]): void {
  if (taken.some((used) => subnetsOverlap(requested, used))) throw conflict('Pool overlaps with other one on this address space');
}

/** The first usable address of a subnet: Docker's default gateway. */
export function firstHost(subnet: Ipv4Subnet): string {
  return formatIpv4(subnet.network + (subnet.prefix >= 31 ? 0 : 1));
}

/**
 * The lowest free host address in `range` (default: the whole subnet), skipping the network and
 * broadcast addresses and everything in `used` (the gateway included).
 */
export function allocateAddress(subnet: Ipv4Subnet, used: ReadonlySet<string>, range: Ipv4Subnet = subnet): string {
  const first = Math.max(subnet.network + 1, range.network);
  const last = Math.min(subnet.network + size(subnet) - 2, range.network + size(range) - 1);
  for (let address = first; address <= last; address++) {
    const text = formatIpv4(address);
    if (!used.has(text)) return text;
  }
  throw new AppError('unavailable', `no available IPv4 addresses on this network's address pools: ${formatSubnet(subnet)}`);
}

/** Validates a static address (`--ip`) against its network. */
export function assertStaticAddress(subnet: Ipv4Subnet, address: string, used: ReadonlySet<string>): void {
  const value = parseIpv4(address);
  if (value === undefined) throw invalidArgument(`invalid IPv4 address: ${address}`);
  if (!subnetContains(subnet, value) || value === subnet.network || value === subnet.network + size(subnet) - 1)
    throw invalidArgument(`no configured subnet or ip-range contain the IP address ${address}`);
  if (used.has(address)) throw conflict(`Address already in use`);
}
