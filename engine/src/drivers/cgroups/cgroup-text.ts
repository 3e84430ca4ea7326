import type { BlkioEntry } from '../../core/stats/container-stats.js';

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat, memory.events) as a map of raw values. */
export function parseFlatKeyed(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    values.set(line.slice(0, space), line.slice(space + 1).trim());
  }
  return values;
}

/** A counter as a JSON-safe number, or bigint when it would lose precision as a double. */
export function counterValue(raw: string | undefined): number | bigint {
  if (raw === undefined || !/^\d+$/.test(raw)) return 0;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : BigInt(raw);
}

/** A counter for arithmetic: 0 when missing or malformed. */
export function counterNumber(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const value = Number(raw.trim());
  return Number.isFinite(value) && value >= 0 ? value : 0;
}

/** A single-value file (`memory.current`, `pids.max`); undefined for `max` (unlimited) or empty. */
export function parseLimit(text: string | undefined): number | undefined {
  const value = text?.trim();
  if (value === undefined || value === '' || value === 'max') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Picks `keys` from a flat-keyed file in Docker's fixed key set, 0 for keys this kernel lacks. */
export function pickCounters(values: Map<string, string>, keys: readonly string[]): Record<string, number | bigint> {
  const picked: Record<string, number | bigint> = {};
  for (const key of keys) picked[key] = counterValue(values.get(key));
  return picked;
}

/**
 * cgroup v1 blkio files: `MAJ:MIN Op value` lines and a closing `Total N` (skipped, as containerd
 * does); the op keeps the kernel's spelling (`Read`, `Write`, `Sync`, `Async`, `Discard`, `Total`).
 */
export function parseV1BlkioEntries(text: string | undefined): BlkioEntry[] {
  const entries: BlkioEntry[] = [];
  if (text === undefined) return entries;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 3) continue;
    const [device, op, value] = fields as [string, string, string];
    const match = /^(\d+):(\d+)$/.exec(device);
    if (match === null) continue;
    entries.push({ major: Number(match[1]), minor: Number(match[2]), op, value: counterNumber(value) });
  }
  return entries;
}

/**
 * cgroup v2 io.stat: `MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N` per device, shown
 * by dockerd as a read and a write entry per device in `io_service_bytes_recursive`.
 */
export function parseV2IoServiceBytes(text: string | undefined): BlkioEntry[] | null {
  let entries: BlkioEntry[] | null = null;
  if (text === undefined) return entries;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const match = /^(\d+):(\d+)$/.exec(fields[0] ?? '');
    if (match === null) continue;
    const counters = new Map(fields.slice(1).map((field) => field.split('=') as [string, string]));
    const major = Number(match[1]);
    const minor = Number(match[2]);
    entries ??= [];
    entries.push(
      { major, minor, op: 'read', value: counterNumber(counters.get('rbytes')) },
      { major, minor, op: 'write', value: counterNumber(counters.get('wbytes')) },
    );
  }
  return entries;
}

/** cpuacct.usage_percpu: space-separated nanoseconds, one per possible CPU. */
export function parsePerCpu(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '')
    .map((field) => counterNumber(field));
}
