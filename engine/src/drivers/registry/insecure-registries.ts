import { isIP } from 'node:net';

/**
 * Decides which registries may be reached over plain HTTP (and with unverified TLS), as dockerd's
 * `insecure-registries`: loopback (127.0.0.0/8, ::1, localhost) always, plus configured entries that
 * are `HOST`, `HOST:PORT` or IPv4 CIDRs (`10.0.0.0/8`).
 */
export class InsecureRegistries {
  private readonly names = new Set<string>();
  private readonly cidrs: { base: number; mask: number }[] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^https?:\/\//, '')
        .replace(/\/+$/, '');
      const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(entry);
      if (cidr?.[1] && cidr[2]) {
        const bits = Number(cidr[2]);
        const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
        this.cidrs.push({ base: (ipv4ToInt(cidr[1]) & mask) >>> 0, mask });
      } else if (entry) {
        this.names.add(entry);
      }
    }
  }

  isInsecure(registry: string): boolean {
    const name = registry.toLowerCase();
    if (this.names.has(name)) return true;
    const host = hostOf(name);
    if (this.names.has(host)) return true;
    if (host === 'localhost' || host === '::1') return true;
    if (isIP(host) === 4) {
      const ip = ipv4ToInt(host);
      if ((ip & 0xff000000) >>> 0 === 0x7f000000) return true;
      return this.cidrs.some(({ base, mask }) => (ip & mask) >>> 0 === base);
    }
    return false;
  }
}

/** Host part of `host[:port]` or `[v6]:port`. */
export function hostOf(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}
