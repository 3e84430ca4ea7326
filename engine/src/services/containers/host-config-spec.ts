import { access, stat } from 'node:fs/promises';
import { AppError, invalidArgument } from '@berth/common';
import type { HostConfig } from '../../core/containers/container.js';
import type { OciLinuxResources } from '../../core/runtime/oci-spec.js';
import type { OciDevice, OciRlimit } from './oci-spec-builder.js';

/** Where dockerd puts its init inside the container. */
export const containerInitPath = '/sbin/docker-init';

/** Static init binaries Debian ships (tini-static, catatonit); static so they run in any image. */
const initCandidates = ['/usr/bin/tini-static', '/usr/bin/catatonit', '/usr/bin/docker-init'];

let initBinary: Promise<string | undefined> | undefined;

/** The host's init binary for `--init`, found once. */
export function findInitBinary(): Promise<string | undefined> {
  initBinary ??= (async () => {
    for (const candidate of initCandidates) {
      try {
        await access(candidate);
        return candidate;
      } catch {
        // try the next one
      }
    }
    return undefined;
  })();
  return initBinary;
}

/** `--ulimit nofile=1024:2048` arrives as `{Name:"nofile",Soft:1024,Hard:2048}`. */
export function ulimitsToRlimits(ulimits: unknown): OciRlimit[] {
  if (ulimits === undefined || ulimits === null) return [];
  if (!Array.isArray(ulimits)) throw invalidArgument('invalid Ulimits: expected a list');
  return ulimits.map((entry: unknown) => {
    const { Name, Soft, Hard } = (entry ?? {}) as { Name?: unknown; Soft?: unknown; Hard?: unknown };
    if (typeof Name !== 'string' || !/^[a-z]+$/.test(Name)) throw invalidArgument(`invalid ulimit: ${JSON.stringify(entry)}`);
    if (!rlimitNames.has(Name)) throw invalidArgument(`invalid ulimit type: ${Name}`);
    if (typeof Soft !== 'number' || typeof Hard !== 'number')
      throw invalidArgument(`invalid ulimit ${Name}: soft and hard limits are required`);
    if (Soft > Hard && Hard !== -1)
      throw invalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${Soft} > ${Hard}`);
    // -1 means unlimited (RLIM_INFINITY) as in Docker.
    const value = (limit: number): number => (limit < 0 ? 2 ** 64 - 1 : limit);
    return { type: `RLIMIT_${Name.toUpperCase()}`, soft: value(Soft), hard: value(Hard) };
  });
}

const rlimitNames = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
  'as',
]);

export interface DockerDevice {
  PathOnHost?: string;
  PathInContainer?: string;
  CgroupPermissions?: string;
}

/** Checks HostConfig.Devices at create time with dockerd's wording. */
export function validateDevices(devices: unknown): DockerDevice[] {
  if (devices === undefined || devices === null) return [];
  if (!Array.isArray(devices)) throw invalidArgument('invalid Devices: expected a list');
  return devices.map((raw: unknown) => {
    const device = (raw ?? {}) as DockerDevice;
    if (typeof device.PathOnHost !== 'string' || device.PathOnHost === '')
      throw invalidArgument('invalid device: PathOnHost is required');
    const permissions = device.CgroupPermissions ?? 'rwm';
    if (!/^[rwm]{1,3}$/.test(permissions)) throw invalidArgument(`invalid device mode: ${permissions}`);
    return device;
  });
}

/** `--device /dev/x[:/dev/y][:rwm]`: the node (type, numbers, mode, owner) and its cgroup allow rule. */
export async function resolveDevices(
  devices: DockerDevice[],
): Promise<{ devices: OciDevice[]; rules: NonNullable<OciLinuxResources['devices']> }> {
  const result: OciDevice[] = [];
  const rules: NonNullable<OciLinuxResources['devices']> = [];
  for (const device of devices) {
    const hostPath = device.PathOnHost ?? '';
    let info;
    try {
      info = await stat(hostPath);
    } catch (error) {
      throw new AppError(
        'invalid-argument',
        `error gathering device information while adding custom device "${hostPath}": no such file or directory`,
        {
          cause: error,
        },
      );
    }
    const type = info.isCharacterDevice() ? 'c' : info.isBlockDevice() ? 'b' : undefined;
    if (type === undefined)
      throw invalidArgument(`error gathering device information while adding custom device "${hostPath}": not a device node`);
    const major = Number((BigInt(info.rdev) >> 8n) & 0xfffn);
    const minor = Number((BigInt(info.rdev) & 0xffn) | ((BigInt(info.rdev) >> 12n) & 0xfff00n));
    const path = device.PathInContainer !== undefined && device.PathInContainer !== '' ? device.PathInContainer : hostPath;
    result.push({ type, path, major, minor, fileMode: info.mode & 0o777, uid: info.uid, gid: info.gid });
    rules.push({ allow: true, type, major, minor, access: device.CgroupPermissions ?? 'rwm' });
  }
  return { devices: result, rules };
}

/** `--device-cgroup-rule 'c 1:3 mr'` (`*` for any number). */
export function parseDeviceCgroupRules(rules: HostConfig[string]): NonNullable<OciLinuxResources['devices']> {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) throw invalidArgument('invalid DeviceCgroupRules: expected a list');
  return rules.map((rule: unknown) => {
    const match = typeof rule === 'string' ? /^([acb]) (\d+|\*):(\d+|\*) ([rwm]{1,3})$/.exec(rule) : null;
    if (match === null) throw invalidArgument(`invalid device cgroup format '${String(rule)}'`);
    const [, type = 'a', major = '*', minor = '*', access = 'rwm'] = match;
    return {
      allow: true,
      type,
      ...(major !== '*' ? { major: Number(major) } : {}),
      ...(minor !== '*' ? { minor: Number(minor) } : {}),
      access,
    };
  });
}
