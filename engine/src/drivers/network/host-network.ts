import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { PortProtocol } from '../../core/networks/network-driver.js';

/** IPv4 destinations the host routes (from /proc/net/route), in CIDR form; the default route is left out. */
export async function readRoutedSubnets(routeTable = '/proc/net/route'): Promise<string[]> {
  const text = await readFile(routeTable, 'utf8').catch(() => '');
  const subnets: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const destination = fields[1];
    const mask = fields[7];
    if (destination === undefined || mask === undefined) continue;
    const maskValue = littleEndianHex(mask);
    if (maskValue === 0) continue;
    const prefix = maskValue.toString(2).replace(/0/g, '').length;
    subnets.push(`${dotted(littleEndianHex(destination))}/${prefix}`);
  }
  return subnets;
}

function littleEndianHex(hex: string): number {
  const bytes = Buffer.from(hex.padStart(8, '0'), 'hex');
  return bytes.readUInt32LE(0);
}

function dotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** Whether a port can be bound on the host now (nothing else, in any process, holds it). */
export function isHostPortFree(hostIp: string, port: number, protocol: PortProtocol): Promise<boolean> {
  const host = hostIp === '' ? '0.0.0.0' : hostIp;
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', () => {
        socket.close();
        resolve(false);
      });
      socket.bind({ address: host, port, exclusive: true }, () => socket.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
