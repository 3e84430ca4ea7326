import { readFileSync } from 'node:fs';

/** The mount a path lives on, and how that mount propagates (from /proc/self/mountinfo). */
export interface MountPropagation {
  mountPoint: string;
  /** `shared:N`: mounts made below it reach its peers. */
  shared: boolean;
  /** `master:N`: it receives mounts from a shared peer. */
  slave: boolean;
}

/**
 * The kernel writes the mount table out on each read, from memory: a read never waits for a disk.
 * Read synchronously (tens of microseconds per hundred mounts), it does not queue behind the
 * libuv threadpool, where the five steps of an async readFile took milliseconds on a busy
 * engine, on the way to every container start.
 */
function readMountTable(path: string): string {
  return readFileSync(path, 'utf8');
}

/** The innermost mount holding `path` (an absolute, resolved path). */
export async function mountPropagationOf(path: string, mountInfo = '/proc/self/mountinfo'): Promise<MountPropagation> {
  const table = readMountTable(mountInfo);
  let best: MountPropagation = { mountPoint: '/', shared: false, slave: false };
  for (const line of table.split('\n')) {
    const fields = line.split(' ');
    const mountPoint = (fields[4] ?? '').replace(/\\040/g, ' ');
    if (mountPoint === '') continue;
    const inside = mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
    // Later lines for the same point are mounts stacked on top: they win, as does a deeper point.
    if (!inside || mountPoint.length < best.mountPoint.length) continue;
    const optional = fields.slice(6, fields.indexOf('-'));
    best = {
      mountPoint,
      shared: optional.some((field) => field.startsWith('shared:')),
      slave: optional.some((field) => field.startsWith('master:')),
    };
  }
  return best;
}

/** Whether something is mounted exactly at `target` (from this process's mount table). */
export async function isMountPoint(target: string, mountInfo = '/proc/self/mountinfo'): Promise<boolean> {
  return mountPoints(mountInfo).has(target);
}

/** Every path something is mounted at, from one read of the mount table. */
export function mountPoints(mountInfo = '/proc/self/mountinfo'): Set<string> {
  const points = new Set<string>();
  for (const line of readMountTable(mountInfo).split('\n')) {
    const point = line.split(' ')[4];
    if (point !== undefined && point !== '') points.add(point.replace(/\\040/g, ' '));
  }
  return points;
}
