import { invalidArgument } from '@berth/common';
import type { ContainerConfig, HostConfig } from '../../core/containers/container.js';

export type MountType = 'bind' | 'volume' | 'tmpfs';

/** One mount a container asked for, whatever the syntax (`-v`, `--mount`, `--tmpfs`, image VOLUME). */
export interface MountRequest {
  type: MountType;
  /** Host path (bind), volume name (volume; empty for anonymous), unused for tmpfs. */
  source: string;
  destination: string;
  readonly: boolean;
  /** Bind propagation (`rprivate` by default). */
  propagation: string;
  /** `nocopy`: do not seed a new volume from the image. */
  noCopy: boolean;
  /** The mode string as the user gave it (`ro,z`), for inspect's `Mode`. */
  mode: string;
  /** `--mount type=bind` refuses a missing source; `-v` creates it. */
  createSource: boolean;
  /** tmpfs mount options (`size=64m`, `mode=1777`). */
  tmpfsOptions: string[];
  /** Labels for a volume created by `--mount` (volume-opt labels). */
  volumeLabels?: Record<string, string>;
}

const propagations = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);

function cleanDestination(destination: string, spec: string): string {
  if (!destination.startsWith('/'))
    throw invalidArgument(
      `invalid mount config for type "bind": invalid mount path: '${destination}' mount path must be absolute`,
    );
  if (destination === '/') throw invalidArgument(`invalid specification: destination can't be '/' in '${spec}'`);
  const parts: string[] = [];
  for (const part of destination.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Parses one `-v` / `HostConfig.Binds` entry: `src:dst[:opts]` or a bare `dst` (anonymous volume). */
export function parseBind(spec: string): MountRequest {
  const parts = spec.split(':');
  let source = '';
  let destination: string;
  let mode = '';
  if (parts.length === 1) destination = parts[0] ?? '';
  else if (parts.length === 2) {
    if ((parts[0] ?? '').startsWith('/') && !(parts[1] ?? '').startsWith('/')) {
      destination = parts[0] ?? '';
      mode = parts[1] ?? '';
    } else {
      source = parts[0] ?? '';
      destination = parts[1] ?? '';
    }
  } else if (parts.length === 3) {
    source = parts[0] ?? '';
    destination = parts[1] ?? '';
    mode = parts[2] ?? '';
  } else throw invalidArgument(`invalid volume specification: '${spec}'`);
  if (destination === '') throw invalidArgument(`invalid volume specification: '${spec}'`);
  let readonly = false;
  let propagation = 'rprivate';
  let noCopy = false;
  for (const option of mode === '' ? [] : mode.split(',')) {
    if (option === 'ro') readonly = true;
    else if (option === 'rw') readonly = false;
    else if (option === 'nocopy') noCopy = true;
    else if (option === 'z' || option === 'Z' || option === 'consistent' || option === 'cached' || option === 'delegated')
      continue;
    else if (propagations.has(option)) propagation = option;
    else throw invalidArgument(`invalid mode: ${option}`);
  }
  const type: MountType = source.startsWith('/') ? 'bind' : 'volume';
  if (type === 'volume' && source !== '' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source))
    throw invalidArgument(
      `create ${source}: "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  return {
    type,
    source,
    destination: cleanDestination(destination, spec),
    readonly,
    propagation,
    noCopy,
    mode,
    createSource: true,
    tmpfsOptions: [],
  };
}

interface ApiMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string; CreateMountpoint?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

/** Parses one `HostConfig.Mounts` entry (`--mount`). */
export function parseApiMount(mount: ApiMount): MountRequest {
  const type = mount.Type ?? '';
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs')
    throw invalidArgument(`invalid mount config: mount type unknown: "${type}"`);
  const destination = mount.Target ?? '';
  if (destination === '') throw invalidArgument('invalid mount config: Target must not be empty');
  const source = mount.Source ?? '';
  if (type === 'bind' && !source.startsWith('/'))
    throw invalidArgument(`invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`);
  if (type === 'tmpfs' && source !== '')
    throw invalidArgument('invalid mount config for type "tmpfs": Source must not be specified');
  const propagation =
    mount.BindOptions?.Propagation !== undefined && mount.BindOptions.Propagation !== ''
      ? mount.BindOptions.Propagation
      : 'rprivate';
  if (!propagations.has(propagation)) throw invalidArgument(`invalid propagation mode: ${propagation}`);
  const tmpfsOptions: string[] = [];
  if (mount.TmpfsOptions?.SizeBytes !== undefined && mount.TmpfsOptions.SizeBytes > 0)
    tmpfsOptions.push(`size=${mount.TmpfsOptions.SizeBytes}`);
  if (mount.TmpfsOptions?.Mode !== undefined && mount.TmpfsOptions.Mode > 0)
    tmpfsOptions.push(`mode=${mount.TmpfsOptions.Mode.toString(8)}`);
  return {
    type,
    source,
    destination: cleanDestination(destination, destination),
    readonly: mount.ReadOnly === true,
    propagation,
    noCopy: mount.VolumeOptions?.NoCopy === true,
    mode: '',
    createSource: mount.BindOptions?.CreateMountpoint === true,
    tmpfsOptions,
    ...(mount.VolumeOptions?.Labels !== undefined && mount.VolumeOptions.Labels !== null
      ? { volumeLabels: mount.VolumeOptions.Labels }
      : {}),
  };
}

/**
 * Every mount of a container, later entries winning for one destination as with dockerd:
 * image `VOLUME`s, then `Binds`, then `Mounts`, then `Tmpfs`.
 */
export function containerMountRequests(config: ContainerConfig, hostConfig: HostConfig): MountRequest[] {
  const byDestination = new Map<string, MountRequest>();
  const add = (request: MountRequest, explicit: boolean): void => {
    if (explicit && byDestination.has(request.destination) && byDestination.get(request.destination)?.source !== '')
      throw invalidArgument(`Duplicate mount point: ${request.destination}`);
    byDestination.set(request.destination, request);
  };
  for (const destination of Object.keys(config.Volumes ?? {})) add(parseBind(destination), false);
  for (const bind of hostConfig.Binds ?? []) add(parseBind(bind), true);
  const mounts = hostConfig['Mounts'];
  if (Array.isArray(mounts)) for (const mount of mounts) add(parseApiMount(mount as ApiMount), true);
  const tmpfs = hostConfig['Tmpfs'];
  if (tmpfs !== undefined && tmpfs !== null && typeof tmpfs === 'object')
    for (const [destination, options] of Object.entries(tmpfs as Record<string, string>))
      add(
        {
          type: 'tmpfs',
          source: '',
          destination: cleanDestination(destination, destination),
          readonly: false,
          propagation: '',
          noCopy: true,
          mode: '',
          createSource: false,
          tmpfsOptions: String(options ?? '')
            .split(',')
            .filter((option) => option !== '' && option !== 'rw'),
        },
        true,
      );
  return [...byDestination.values()];
}
