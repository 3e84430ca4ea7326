import type { HostCpuStats, InterfaceCounters } from '../../core/stats/container-stats.js';
import { counterNumber } from './cgroup-text.js';

/** USER_HZ: the unit of /proc/stat and cpuacct.stat, 100 on every Linux ABI. */
export const clockTicksPerSecond = 100;
export const nanosPerTick = 1_000_000_000 / clockTicksPerSecond;

/**
 * /proc/stat as dockerd reads it: system CPU usage is the sum of the first seven fields of the
 * `cpu` line (user, nice, system, idle, iowait, irq, softirq; steal and guest left out) converted
 * to nanoseconds; online CPUs are the `cpuN` lines.
 */
export function parseProcStat(text: string): HostCpuStats {
  let systemUsageNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    if (line.startsWith('cpu ')) {
      const fields = line.trim().split(/\s+/).slice(1, 8);
      if (fields.length < 7) throw new Error('invalid /proc/stat cpu line');
      const ticks = fields.reduce((sum, field) => sum + counterNumber(field), 0);
      systemUsageNs = ticks * nanosPerTick;
    } else if (/^cpu\d/.test(line)) {
      onlineCpus++;
    }
  }
  return { systemUsageNs, onlineCpus };
}

/** MemTotal of /proc/meminfo in bytes. */
export function parseMemTotal(text: string): number {
  const match = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  if (match === null) throw new Error('no MemTotal in /proc/meminfo');
  return Number(match[1]) * 1024;
}

/**
 * Devices the kernel creates in every network namespace when the tunnel modules are loaded; they
 * are not the container's interfaces and dockerd (which lists its own endpoints) never shows them.
 */
const fallbackDevices = new Set([
  'lo',
  'tunl0',
  'gre0',
  'gretap0',
  'erspan0',
  'ip_vti0',
  'ip6_vti0',
  'sit0',
  'ip6tnl0',
  'ip6gre0',
]);

/**
 * /proc/<pid>/net/dev: two header lines, then `name: rx(bytes packets errs drop fifo frame
 * compressed multicast) tx(bytes packets errs drop fifo colls carrier compressed)`.
 * undefined when the namespace has no interface but loopback, as dockerd then omits `networks`.
 */
export function parseNetDev(text: string): Record<string, InterfaceCounters> | undefined {
  let interfaces: Record<string, InterfaceCounters> | undefined;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === '' || name.includes('|') || fallbackDevices.has(name)) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map((field) => counterNumber(field));
    if (fields.length < 16) continue;
    interfaces ??= {};
    interfaces[name] = {
      rxBytes: fields[0] ?? 0,
      rxPackets: fields[1] ?? 0,
      rxErrors: fields[2] ?? 0,
      rxDropped: fields[3] ?? 0,
      txBytes: fields[8] ?? 0,
      txPackets: fields[9] ?? 0,
      txErrors: fields[10] ?? 0,
      txDropped: fields[11] ?? 0,
    };
  }
  return interfaces;
}
