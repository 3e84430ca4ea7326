import { formatTimestamp } from '../../core/logs/timestamps.js';
import type { BlkioUsage, ContainerStatsSample, InterfaceCounters, StatsReport } from '../../core/stats/container-stats.js';

const zeroTime = '0001-01-01T00:00:00Z';

/**
 * Docker's stats JSON (moby's `types.StatsJSON`) for one frame, keys in Go's field order and
 * `omitempty` fields left out when zero, so clients see exactly what dockerd sends. A container
 * that is not running gives Go's zero value with only `name` and `id` set.
 */
export function presentStats(report: StatsReport): Record<string, unknown> {
  const { current, previous } = report;
  const json: Record<string, unknown> = {
    read: current !== undefined ? rfc3339Nano(current.readNano) : zeroTime,
    preread: previous !== undefined ? rfc3339Nano(previous.readNano) : zeroTime,
    pids_stats: current !== undefined ? presentPids(current) : {},
    blkio_stats: current !== undefined ? current.cgroup.blkio : emptyBlkio,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: presentCpu(current),
    precpu_stats: presentCpu(previous),
    memory_stats: current !== undefined ? presentMemory(current) : {},
    name: `/${report.name}`,
    id: report.id,
  };
  if (current?.networks !== undefined) json['networks'] = presentNetworks(current.networks);
  return json;
}

const emptyBlkio: BlkioUsage = {
  io_service_bytes_recursive: null,
  io_serviced_recursive: null,
  io_queue_recursive: null,
  io_service_time_recursive: null,
  io_wait_time_recursive: null,
  io_merged_recursive: null,
  io_time_recursive: null,
  sectors_recursive: null,
};

function presentPids(sample: ContainerStatsSample): Record<string, number | bigint> {
  const { current, limit } = sample.cgroup.pids;
  return { ...(current > 0 ? { current } : {}), ...(limit !== undefined && limit > 0 ? { limit } : {}) };
}

function presentCpu(sample: ContainerStatsSample | undefined): Record<string, unknown> {
  if (sample === undefined)
    return {
      cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    };
  const { cpu } = sample.cgroup;
  return {
    cpu_usage: {
      total_usage: cpu.totalNs,
      ...(cpu.perCpuNs !== undefined && cpu.perCpuNs.length > 0 ? { percpu_usage: cpu.perCpuNs } : {}),
      usage_in_kernelmode: cpu.kernelNs,
      usage_in_usermode: cpu.userNs,
    },
    ...(sample.host.systemUsageNs > 0 ? { system_cpu_usage: sample.host.systemUsageNs } : {}),
    ...(sample.host.onlineCpus > 0 ? { online_cpus: sample.host.onlineCpus } : {}),
    throttling_data: {
      periods: cpu.throttling.periods,
      throttled_periods: cpu.throttling.throttledPeriods,
      throttled_time: cpu.throttling.throttledTimeNs,
    },
  };
}

function presentMemory(sample: ContainerStatsSample): Record<string, unknown> {
  const { memory } = sample.cgroup;
  return {
    ...(memory.usage > 0 ? { usage: memory.usage } : {}),
    ...(memory.maxUsage !== undefined && memory.maxUsage > 0 ? { max_usage: memory.maxUsage } : {}),
    stats: memory.stats,
    ...(memory.failcnt > 0 ? { failcnt: memory.failcnt } : {}),
    ...(sample.memoryLimit > 0 ? { limit: sample.memoryLimit } : {}),
  };
}

function presentNetworks(networks: Record<string, InterfaceCounters>): Record<string, unknown> {
  const presented: Record<string, unknown> = {};
  for (const [name, counters] of Object.entries(networks))
    presented[name] = {
      rx_bytes: counters.rxBytes,
      rx_packets: counters.rxPackets,
      rx_errors: counters.rxErrors,
      rx_dropped: counters.rxDropped,
      tx_bytes: counters.txBytes,
      tx_packets: counters.txPackets,
      tx_errors: counters.txErrors,
      tx_dropped: counters.txDropped,
    };
  return presented;
}

/** Go's time.Time JSON: RFC3339 with the fraction's trailing zeros dropped. */
function rfc3339Nano(timeNano: bigint): string {
  return formatTimestamp(timeNano).replace(/\.?0+Z$/, 'Z');
}
