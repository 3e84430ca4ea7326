import { join } from 'node:path';
import type { BlkioEntry, BlkioUsage, CgroupStats } from '../../core/stats/container-stats.js';
import { counterNumber, parseFlatKeyed, parseLimit, parsePerCpu, parseV1BlkioEntries, pickCounters } from './cgroup-text.js';
import { nanosPerTick } from './host-proc.js';
import { ReopenableFile } from './reopenable-file.js';

/** The memory.stat keys dockerd reports on cgroup v1 (containerd's v1 metrics), in Go's sorted map order. */
export const v1MemoryStatKeys = [
  'active_anon',
  'active_file',
  'cache',
  'dirty',
  'hierarchical_memory_limit',
  'hierarchical_memsw_limit',
  'inactive_anon',
  'inactive_file',
  'mapped_file',
  'pgfault',
  'pgmajfault',
  'pgpgin',
  'pgpgout',
  'rss',
  'rss_huge',
  'total_active_anon',
  'total_active_file',
  'total_cache',
  'total_dirty',
  'total_inactive_anon',
  'total_inactive_file',
  'total_mapped_file',
  'total_pgfault',
  'total_pgmajfault',
  'total_pgpgin',
  'total_pgpgout',
  'total_rss',
  'total_rss_huge',
  'total_unevictable',
  'total_writeback',
  'unevictable',
  'writeback',
] as const;

/** The raw text of one v1 cgroup's files; `undefined` for files this host does not have. */
export interface V1CgroupFiles {
  cpuacctUsage: string | undefined;
  cpuacctPerCpu: string | undefined;
  cpuacctStat: string | undefined;
  cpuStat: string | undefined;
  memoryUsage: string | undefined;
  memoryMaxUsage: string | undefined;
  memoryFailcnt: string | undefined;
  memoryLimit: string | undefined;
  memoryStat: string | undefined;
  /** CFQ's recursive files by Docker name (only on kernels with the CFQ scheduler). */
  cfq: Partial<Record<keyof BlkioUsage, string>>;
  throttleServiceBytes: string | undefined;
  throttleServiced: string | undefined;
  pidsCurrent: string | undefined;
  pidsMax: string | undefined;
}

const cfqFiles: Record<keyof BlkioUsage, string> = {
  io_service_bytes_recursive: 'blkio.io_service_bytes_recursive',
  io_serviced_recursive: 'blkio.io_serviced_recursive',
  io_queue_recursive: 'blkio.io_queued_recursive',
  io_service_time_recursive: 'blkio.io_service_time_recursive',
  io_wait_time_recursive: 'blkio.io_wait_time_recursive',
  io_merged_recursive: 'blkio.io_merged_recursive',
  io_time_recursive: 'blkio.time_recursive',
  sectors_recursive: 'blkio.sectors_recursive',
};

/** Turns a v1 cgroup's files into Docker's figures, as containerd's v1 metrics and dockerd do. */
export function v1CgroupStats(files: V1CgroupFiles): CgroupStats {
  const cpuacct = parseFlatKeyed(files.cpuacctStat ?? '');
  const cpu = parseFlatKeyed(files.cpuStat ?? '');
  const memoryStat = parseFlatKeyed(files.memoryStat ?? '');
  const maxUsage = counterNumber(files.memoryMaxUsage);
  const limit = parseLimit(files.memoryLimit);
  const pidsLimit = parseLimit(files.pidsMax);
  const blkio = (name: keyof BlkioUsage, throttle?: string): BlkioEntry[] => [
    ...parseV1BlkioEntries(files.cfq[name]),
    ...parseV1BlkioEntries(throttle),
  ];
  return {
    version: 1,
    cpu: {
      totalNs: counterNumber(files.cpuacctUsage),
      perCpuNs: parsePerCpu(files.cpuacctPerCpu ?? ''),
      kernelNs: counterNumber(cpuacct.get('system')) * nanosPerTick,
      userNs: counterNumber(cpuacct.get('user')) * nanosPerTick,
      throttling: {
        periods: counterNumber(cpu.get('nr_periods')),
        throttledPeriods: counterNumber(cpu.get('nr_throttled')),
        throttledTimeNs: counterNumber(cpu.get('throttled_time')),
      },
    },
    memory: {
      usage: counterNumber(files.memoryUsage),
      ...(maxUsage > 0 ? { maxUsage } : {}),
      failcnt: counterNumber(files.memoryFailcnt),
      ...(limit !== undefined ? { limit } : {}),
      stats: pickCounters(memoryStat, v1MemoryStatKeys),
    },
    blkio: {
      // containerd appends the throttle counters to CFQ's (kernels without CFQ only have those).
      io_service_bytes_recursive: blkio('io_service_bytes_recursive', files.throttleServiceBytes),
      io_serviced_recursive: blkio('io_serviced_recursive', files.throttleServiced),
      io_queue_recursive: blkio('io_queue_recursive'),
      io_service_time_recursive: blkio('io_service_time_recursive'),
      io_wait_time_recursive: blkio('io_wait_time_recursive'),
      io_merged_recursive: blkio('io_merged_recursive'),
      io_time_recursive: blkio('io_time_recursive'),
      sectors_recursive: blkio('sectors_recursive'),
    },
    pids: {
      current: counterNumber(files.pidsCurrent),
      ...(pidsLimit !== undefined && pidsLimit > 0 ? { limit: pidsLimit } : {}),
    },
  };
}

/** Open files of one container's v1 cgroups (one directory per controller). */
export class V1CgroupReader {
  private readonly files: ReopenableFile[] = [];
  private readonly cpuacctUsage: ReopenableFile;
  private readonly cpuacctPerCpu: ReopenableFile;
  private readonly cpuacctStat: ReopenableFile;
  private readonly cpuStat: ReopenableFile;
  private readonly memoryUsage: ReopenableFile;
  private readonly memoryMaxUsage: ReopenableFile;
  private readonly memoryFailcnt: ReopenableFile;
  private readonly memoryLimit: ReopenableFile;
  private readonly memoryStat: ReopenableFile;
  private readonly cfq: Record<keyof BlkioUsage, ReopenableFile>;
  private readonly throttleServiceBytes: ReopenableFile;
  private readonly throttleServiced: ReopenableFile;
  private readonly pidsCurrent: ReopenableFile;
  private readonly pidsMax: ReopenableFile;
  private readonly hasMemoryController: boolean;

  /** `controllers` maps a controller to its mount point; `cgroupPath` is the container's path in each. */
  constructor(controllers: ReadonlyMap<string, string>, cgroupPath: string) {
    this.hasMemoryController = controllers.has('memory');
    const file = (controller: string, name: string): ReopenableFile => {
      const mountPoint = controllers.get(controller);
      const opened = new ReopenableFile(mountPoint === undefined ? '' : join(mountPoint, cgroupPath, name));
      this.files.push(opened);
      return opened;
    };
    this.cpuacctUsage = file('cpuacct', 'cpuacct.usage');
    this.cpuacctPerCpu = file('cpuacct', 'cpuacct.usage_percpu');
    this.cpuacctStat = file('cpuacct', 'cpuacct.stat');
    this.cpuStat = file('cpu', 'cpu.stat');
    this.memoryUsage = file('memory', 'memory.usage_in_bytes');
    this.memoryMaxUsage = file('memory', 'memory.max_usage_in_bytes');
    this.memoryFailcnt = file('memory', 'memory.failcnt');
    this.memoryLimit = file('memory', 'memory.limit_in_bytes');
    this.memoryStat = file('memory', 'memory.stat');
    this.cfq = Object.fromEntries(Object.entries(cfqFiles).map(([key, name]) => [key, file('blkio', name)])) as Record<
      keyof BlkioUsage,
      ReopenableFile
    >;
    this.throttleServiceBytes = file('blkio', 'blkio.throttle.io_service_bytes');
    this.throttleServiced = file('blkio', 'blkio.throttle.io_serviced');
    this.pidsCurrent = file('pids', 'pids.current');
    this.pidsMax = file('pids', 'pids.max');
  }

  read(): CgroupStats {
    // memory.stat is read strictly: a removed cgroup fails here instead of reading as zeros.
    const memoryStat = this.hasMemoryController ? this.memoryStat.read() : undefined;
    // containerd reads CFQ's files only when the kernel has CFQ (blkio.io_serviced_recursive exists).
    const cfqServiced = this.cfq.io_serviced_recursive.readOptional();
    const cfq: Partial<Record<keyof BlkioUsage, string>> = {};
    if (cfqServiced !== undefined)
      for (const [key, file] of Object.entries(this.cfq) as [keyof BlkioUsage, ReopenableFile][]) {
        const text = key === 'io_serviced_recursive' ? cfqServiced : file.readOptional();
        if (text !== undefined) cfq[key] = text;
      }
    return v1CgroupStats({
      cpuacctUsage: this.cpuacctUsage.readOptional(),
      cpuacctPerCpu: this.cpuacctPerCpu.readOptional(),
      cpuacctStat: this.cpuacctStat.readOptional(),
      cpuStat: this.cpuStat.readOptional(),
      memoryUsage: this.memoryUsage.readOptional(),
      memoryMaxUsage: this.memoryMaxUsage.readOptional(),
      memoryFailcnt: this.memoryFailcnt.readOptional(),
      memoryLimit: this.memoryLimit.readOptional(),
      memoryStat,
      cfq,
      throttleServiceBytes: this.throttleServiceBytes.readOptional(),
      throttleServiced: this.throttleServiced.readOptional(),
      pidsCurrent: this.pidsCurrent.readOptional(),
      pidsMax: this.pidsMax.readOptional(),
    });
  }

  close(): void {
    for (const file of this.files) file.close();
  }
}
