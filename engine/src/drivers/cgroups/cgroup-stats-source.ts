import { readFile } from 'node:fs/promises';
import type {
  CgroupStats,
  ContainerStatsProbe,
  ContainerStatsSample,
  StatsProbeTarget,
  StatsSource,
} from '../../core/stats/container-stats.js';
import { parseCgroupLayout, type CgroupLayout } from './cgroup-layout.js';
import { V1CgroupReader } from './cgroup-v1-reader.js';
import { V2CgroupReader } from './cgroup-v2-reader.js';
import { parseMemTotal, parseNetDev, parseProcStat } from './host-proc.js';
import { ReopenableFile } from './reopenable-file.js';

/** Wall-clock nanoseconds: the epoch offset taken once, then the monotonic high-resolution clock. */
const epochOffsetNano = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
function epochNano(): bigint {
  return epochOffsetNano + process.hrtime.bigint();
}

export interface CgroupStatsSourceOptions {
  layout: CgroupLayout;
  /** The container's cgroup path inside each hierarchy (runc's cgroupsPath), e.g. `/berth/<id>`. */
  cgroupPath: (containerId: string) => string;
  procRoot?: string;
}

/**
 * Stats from the host's cgroup hierarchy (v1 or v2, as mounted) and /proc. Probes keep their files
 * open; /proc/stat is one file shared by every probe and read next to each container's cgroup, so
 * the CPU percentage compares times taken at the same instant.
 */
export class CgroupStatsSource implements StatsSource {
  private readonly procStat: ReopenableFile;
  private memTotal: Promise<number> | undefined;
  private readonly procRoot: string;

  constructor(private readonly options: CgroupStatsSourceOptions) {
    this.procRoot = options.procRoot ?? '/proc';
    this.procStat = new ReopenableFile(`${this.procRoot}/stat`);
  }

  /** Detects the layout from the engine's own mount table. */
  static async forHost(cgroupPath: (containerId: string) => string): Promise<CgroupStatsSource> {
    const layout = parseCgroupLayout(await readFile('/proc/self/mountinfo', 'utf8'));
    return new CgroupStatsSource({ layout, cgroupPath });
  }

  get cgroupVersion(): 1 | 2 {
    return this.options.layout.version;
  }

  open(target: StatsProbeTarget): ContainerStatsProbe {
    const layout = this.options.layout;
    const path = this.options.cgroupPath(target.containerId);
    const cgroup: { read(): CgroupStats; close(): void } =
      layout.version === 2 ? new V2CgroupReader(layout.root, path) : new V1CgroupReader(layout.controllers, path);
    const netDev = target.ownNetwork ? new ReopenableFile(`${this.procRoot}/${target.pid}/net/dev`) : undefined;
    return {
      read: async (): Promise<Omit<ContainerStatsSample, 'memoryLimit'>> => {
        const readNano = epochNano();
        const stats = cgroup.read();
        const host = parseProcStat(this.procStat.read());
        const networks = netDev !== undefined ? parseNetDev(netDev.read()) : undefined;
        return { readNano, cgroup: stats, host, ...(networks !== undefined ? { networks } : {}) };
      },
      close: () => {
        cgroup.close();
        netDev?.close();
      },
    };
  }

  hostMemoryBytes(): Promise<number> {
    this.memTotal ??= readFile(`${this.procRoot}/meminfo`, 'utf8').then(parseMemTotal);
    return this.memTotal;
  }
}
