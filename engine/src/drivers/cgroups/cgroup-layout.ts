/**
 * Where the host's cgroup hierarchies are mounted. Like runc, a host is "unified" (cgroup v2) only
 * when /sys/fs/cgroup itself is cgroup2; a hybrid host (v1 controllers plus a cgroup2 mount at
 * /sys/fs/cgroup/unified) is a v1 host, since that is where runc puts the controllers.
 */
export type CgroupLayout =
  | { version: 2; root: string }
  | {
      version: 1;
      /** Mount point of each v1 controller (`cpu`, `cpuacct`, `memory`, `blkio`, `pids`, ...). */
      controllers: Map<string, string>;
    };

/** Builds the layout from /proc/self/mountinfo. */
export function parseCgroupLayout(mountinfo: string, cgroupRoot = '/sys/fs/cgroup'): CgroupLayout {
  const controllers = new Map<string, string>();
  let unifiedRoot: string | undefined;
  for (const line of mountinfo.split('\n')) {
    // `id parent maj:min root mountpoint options [optional fields] - fstype source superoptions`
    const separator = line.indexOf(' - ');
    if (separator < 0) continue;
    const before = line.slice(0, separator).split(' ');
    const after = line.slice(separator + 3).split(' ');
    const mountPoint = unescapeMountField(before[4] ?? '');
    const fsType = after[0];
    if (fsType === 'cgroup2' && mountPoint === cgroupRoot) unifiedRoot = mountPoint;
    if (fsType !== 'cgroup') continue;
    for (const option of (after[2] ?? '').split(',')) {
      if (option === 'rw' || option === 'ro' || option.includes('=')) continue;
      if (!controllers.has(option)) controllers.set(option, mountPoint);
    }
  }
  if (unifiedRoot !== undefined) return { version: 2, root: unifiedRoot };
  if (controllers.size === 0) throw new Error('no cgroup hierarchy is mounted');
  return { version: 1, controllers };
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
