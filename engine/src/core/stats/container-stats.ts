/**
 * Resource usage of a running container (`GET /containers/{id}/stats`), as read from its cgroup,
 * the host's /proc and the container's network namespace. Units are those of Docker's stats JSON:
 * CPU times in nanoseconds, memory and I/O in bytes.
 */

export type CgroupVersion = 1 | 2;

export interface CpuThrottling {
  periods: number;
  throttledPeriods: number;
  throttledTimeNs: number;
}

export interface CpuUsage {
  totalNs: number;
  /** Per-CPU usage; cgroup v1 only (v2 has no per-CPU accounting). */
  perCpuNs?: number[];
  kernelNs: number;
  userNs: number;
  throttling: CpuThrottling;
}

export interface MemoryUsage {
  usage: number;
  /** Peak usage; cgroup v1 only. */
  maxUsage?: number;
  /** v1: memory.failcnt; v2: the `oom` count of memory.events. */
  failcnt: number;
  /** The cgroup's limit in bytes; undefined when unlimited. */
  limit?: number;
  /**
   * Docker's `memory_stats.stats`: a fixed key set per cgroup version (see the readers). Values
   * beyond 2^53 (v1's "unlimited" hierarchical limits) stay exact as bigint.
   */
  stats: Record<string, number | bigint>;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** Docker's eight blkio arrays; null where the cgroup version has no such counter. */
export interface BlkioUsage {
  io_service_bytes_recursive: BlkioEntry[] | null;
  io_serviced_recursive: BlkioEntry[] | null;
  io_queue_recursive: BlkioEntry[] | null;
  io_service_time_recursive: BlkioEntry[] | null;
  io_wait_time_recursive: BlkioEntry[] | null;
  io_merged_recursive: BlkioEntry[] | null;
  io_time_recursive: BlkioEntry[] | null;
  sectors_recursive: BlkioEntry[] | null;
}

export interface PidsUsage {
  current: number;
  /**
   * undefined when unlimited on v1 (dockerd leaves it out); on v2 an unlimited `pids.max` is Go's
   * MaxUint64, which dockerd reports as is (a bigint, to stay exact in JSON).
   */
  limit?: number | bigint;
}

/** What one container's cgroup reports at one instant. */
export interface CgroupStats {
  version: CgroupVersion;
  cpu: CpuUsage;
  memory: MemoryUsage;
  blkio: BlkioUsage;
  pids: PidsUsage;
}

/** Counters of one network interface, as /proc/net/dev has them. */
export interface InterfaceCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/** The host figures Docker puts next to every sample. */
export interface HostCpuStats {
  /** Total CPU time of the host (all CPUs, idle included) in nanoseconds, as dockerd computes it. */
  systemUsageNs: number;
  onlineCpus: number;
}

/** One complete sample of a running container. */
export interface ContainerStatsSample {
  /** When it was read, nanoseconds since the epoch. */
  readNano: bigint;
  cgroup: CgroupStats;
  host: HostCpuStats;
  /** The limit clients divide by: the cgroup's limit, or the host's memory when unlimited or larger. */
  memoryLimit: number;
  /** Interfaces other than loopback; undefined when there are none (Docker then omits `networks`). */
  networks?: Record<string, InterfaceCounters>;
}

/** A stats frame for one client: the current sample and the one before it (`precpu_stats`). */
export interface StatsReport {
  id: string;
  /** Without the leading slash. */
  name: string;
  /** undefined while the container is not running: Docker then reports zeros. */
  current?: ContainerStatsSample;
  previous?: ContainerStatsSample;
}

/**
 * Open handles on one running container's counters. Kept open between samples so that each
 * sample costs one read per file; close() when nobody watches the container any more.
 */
export interface ContainerStatsProbe {
  /** Rejects when the container's cgroup or process has gone. */
  read(): Promise<Omit<ContainerStatsSample, 'memoryLimit'>>;
  close(): void;
}

export interface StatsProbeTarget {
  containerId: string;
  /** Host PID of the container's init process. */
  pid: number;
  /** Whether the container has its own network namespace whose interfaces to report. */
  ownNetwork: boolean;
}

/** Where stats come from: the host's cgroup hierarchy (v1 or v2) and /proc. */
export interface StatsSource {
  open(target: StatsProbeTarget): ContainerStatsProbe;
  /** The host's physical memory in bytes (MemTotal). */
  hostMemoryBytes(): Promise<number>;
}
