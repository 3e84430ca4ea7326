import { join } from 'node:path';
import type { CgroupStats } from '../../core/stats/container-stats.js';
import { counterNumber, parseFlatKeyed, parseLimit, parseV2IoServiceBytes, pickCounters } from './cgroup-text.js';
import { ReopenableFile } from './reopenable-file.js';

/** The memory.stat keys dockerd reports on cgroup v2 (containerd's v2 metrics), in Go's sorted map order. */
export const v2MemoryStatKeys = [
  'active_anon',
  'active_file',
  'anon',
  'anon_thp',
  'file',
  'file_dirty',
  'file_mapped',
  'file_writeback',
  'inactive_anon',
  'inactive_file',
  'kernel_stack',
  'pgactivate',
  'pgdeactivate',
  'pgfault',
  'pglazyfree',
  'pglazyfreed',
  'pgmajfault',
  'pgrefill',
  'pgscan',
  'pgsteal',
  'shmem',
  'slab',
  'slab_reclaimable',
  'slab_unreclaimable',
  'sock',
  'thp_collapse_alloc',
  'thp_fault_alloc',
  'unevictable',
  'workingset_activate',
  'workingset_nodereclaim',
  'workingset_refault',
] as const;

/** The raw text of one v2 cgroup's files; `undefined` for files the enabled controllers lack. */
export interface V2CgroupFiles {
  cpuStat: string | undefined;
  memoryCurrent: string | undefined;
  memoryMax: string | undefined;
  memoryStat: string | undefined;
  memoryEvents: string | undefined;
  ioStat: string | undefined;
  pidsCurrent: string | undefined;
  pidsMax: string | undefined;
}

const maxUint64 = 18446744073709551615n;

/** Turns a v2 cgroup's files into Docker's figures, as containerd's v2 metrics and dockerd do. */
export function v2CgroupStats(files: V2CgroupFiles): CgroupStats {
  const cpu = parseFlatKeyed(files.cpuStat ?? '');
  const memoryStat = parseFlatKeyed(files.memoryStat ?? '');
  const events = parseFlatKeyed(files.memoryEvents ?? '');
  const limit = parseLimit(files.memoryMax);
  // containerd's v2 metrics turn "max" into MaxUint64, and dockerd passes that on.
  const pidsLimit = files.pidsMax?.trim() === 'max' ? maxUint64 : parseLimit(files.pidsMax);
  const micro = (key: string): number => counterNumber(cpu.get(key)) * 1000;
  return {
    version: 2,
    cpu: {
      totalNs: micro('usage_usec'),
      kernelNs: micro('system_usec'),
      userNs: micro('user_usec'),
      throttling: {
        periods: counterNumber(cpu.get('nr_periods')),
        throttledPeriods: counterNumber(cpu.get('nr_throttled')),
        throttledTimeNs: micro('throttled_usec'),
      },
    },
    memory: {
      usage: counterNumber(files.memoryCurrent),
      failcnt: counterNumber(events.get('oom')),
      ...(limit !== undefined ? { limit } : {}),
      stats: pickCounters(memoryStat, v2MemoryStatKeys),
    },
    blkio: {
      io_service_bytes_recursive: parseV2IoServiceBytes(files.ioStat),
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    pids: {
      current: counterNumber(files.pidsCurrent),
      ...(pidsLimit !== undefined && pidsLimit > 0 ? { limit: pidsLimit } : {}),
    },
  };
}

/** Open files of one container's v2 cgroup. */
export class V2CgroupReader {
  private readonly cpuStat: ReopenableFile;
  private readonly optional: Record<Exclude<keyof V2CgroupFiles, 'cpuStat'>, ReopenableFile>;

  constructor(root: string, cgroupPath: string) {
    const file = (name: string): ReopenableFile => new ReopenableFile(join(root, cgroupPath, name));
    this.cpuStat = file('cpu.stat');
    this.optional = {
      memoryCurrent: file('memory.current'),
      memoryMax: file('memory.max'),
      memoryStat: file('memory.stat'),
      memoryEvents: file('memory.events'),
      ioStat: file('io.stat'),
      pidsCurrent: file('pids.current'),
      pidsMax: file('pids.max'),
    };
  }

  read(): CgroupStats {
    // cpu.stat exists in every v2 cgroup: reading it strictly makes a removed cgroup an error, not zeros.
    const cpuStat = this.cpuStat.read();
    const files = { cpuStat } as V2CgroupFiles;
    for (const [key, file] of Object.entries(this.optional) as [keyof V2CgroupFiles, ReopenableFile][])
      files[key] = file.readOptional();
    return v2CgroupStats(files);
  }

  close(): void {
    this.cpuStat.close();
    for (const file of Object.values(this.optional)) file.close();
  }
}
