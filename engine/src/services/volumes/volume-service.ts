import { randomBytes } from 'node:crypto';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { AppError, conflict, invalidArgument, notFound } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import { mountPropagationOf } from '../../lib/mount-table.js';
import type { Container } from '../../core/containers/container.js';
import type { ContainerStore } from '../../core/containers/container-store.js';
import type { OciMount } from '../../core/runtime/oci-spec.js';
import type { ContainerMounts, PreparedMounts } from '../../core/volumes/container-mounts.js';
import type { VolumeDriver, VolumeRecord, VolumeStore } from '../../core/volumes/volume.js';
import type { EventBus } from '../events/event-bus.js';
import { KeyedMutex } from '../../lib/keyed-mutex.js';
import { containerMountRequests, type MountRequest } from './mount-specs.js';
import { resolveInRoot } from './scoped-path.js';

export interface VolumeServiceOptions {
  store: VolumeStore;
  driver: VolumeDriver;
  containers: ContainerStore;
  events: EventBus;
  logger: Logger;
}

export interface CreateVolumeRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export type VolumeFilters = Map<string, string[]>;

const volumeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/**
 * Docker's volumes (`local` driver) and every container's mounts: named and anonymous volumes
 * (seeded from the image on first use), host binds and tmpfs.
 */
export class VolumeService implements ContainerMounts {
  private readonly locks = new KeyedMutex();
  private readonly logger: Logger;

  constructor(private readonly options: VolumeServiceOptions) {
    this.logger = options.logger.child({ component: 'volumes' });
  }

  /** Forgets uses of containers that no longer exist; removes their `--rm` anonymous volumes when they go. */
  initialize(): void {
    for (const use of this.options.store.listUses())
      if (this.options.containers.get(use.containerId) === undefined) this.options.store.deleteUses(use.containerId);
    this.options.events.subscribe((event) => {
      if (event.type !== 'container' || event.action !== 'destroy') return;
      void this.containerRemoved(event.actor.id, { removeAnonymousVolumes: false }).catch((error: unknown) =>
        this.logger.warn({ err: error, containerId: event.actor.id }, 'cleaning volumes of a removed container failed'),
      );
    });
  }

  list(filters: VolumeFilters = new Map()): VolumeRecord[] {
    return this.options.store.list().filter((volume) => this.matches(volume, filters));
  }

  get(name: string): VolumeRecord {
    const volume = this.options.store.get(name);
    if (volume === undefined) throw notFound(`get ${name}: no such volume`);
    return volume;
  }

  mountpoint(volume: VolumeRecord): string {
    return this.options.driver.mountpoint(volume.name);
  }

  /** Creates a volume, or returns the existing one of that name (as dockerd does). */
  async create(request: CreateVolumeRequest, anonymous = false): Promise<VolumeRecord> {
    const driver = request.Driver === undefined || request.Driver === '' ? 'local' : request.Driver;
    const name = request.Name === undefined || request.Name === '' ? randomBytes(32).toString('hex') : request.Name;
    if (driver !== 'local')
      throw notFound(`create ${name}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    if (!volumeNamePattern.test(name))
      throw invalidArgument(
        `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    const options = request.DriverOpts ?? null;
    validateLocalOptions(options);
    return this.locks.run(`volume:${name}`, async () => {
      const existing = this.options.store.get(name);
      if (existing !== undefined) return existing;
      await this.options.driver.create(name);
      const volume: VolumeRecord = {
        name,
        driver: 'local',
        createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        labels: request.Labels ?? (anonymous ? null : {}),
        options,
        anonymous,
      };
      this.options.store.insert(volume);
      this.publish(volume, 'create');
      return volume;
    });
  }

  /** IDs of containers (any state) that mount the volume. */
  /** Every volume with its size on disk and how many containers reference it (`system df -v`). */
  async usage(): Promise<{ volume: VolumeRecord; size: number; refCount: number }[]> {
    const result: { volume: VolumeRecord; size: number; refCount: number }[] = [];
    for (const volume of this.options.store.list()) {
      const size = await this.options.driver.size(volume.name).catch(() => 0);
      result.push({ volume, size, refCount: this.usedBy(volume.name).length });
    }
    return result;
  }

  usedBy(name: string): string[] {
    const users = new Set<string>();
    for (const use of this.options.store.listUses({ volumeName: name })) users.add(use.containerId);
    for (const container of this.options.containers.list()) {
      const requests = safeRequests(container);
      if (requests.some((request) => request.type === 'volume' && request.source === name)) users.add(container.id);
    }
    return [...users].filter((id) => this.options.containers.get(id) !== undefined);
  }

  async remove(name: string, force = false): Promise<void> {
    const volume = this.options.store.get(name);
    if (volume === undefined) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    await this.locks.run(`volume:${name}`, async () => {
      const users = this.usedBy(name);
      if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      this.options.store.delete(name);
      await this.options.driver.remove(name);
      this.publish(volume, 'destroy');
    });
  }

  /** Removes every unused volume matching the filters; returns names and bytes freed. */
  async prune(filters: VolumeFilters = new Map()): Promise<{ deleted: string[]; reclaimed: number }> {
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const volume of this.list(filters)) {
      if (this.usedBy(volume.name).length > 0) continue;
      const size = await this.options.driver.size(volume.name);
      try {
        await this.remove(volume.name);
      } catch (error) {
        if (error instanceof AppError && error.kind === 'conflict') continue;
        throw error;
      }
      deleted.push(volume.name);
      reclaimed += size;
    }
    return { deleted, reclaimed };
  }

  // ContainerMounts: called by the container lifecycle around each start.

  async prepare(container: Container, rootfs: string): Promise<PreparedMounts> {
    const mounts: OciMount[] = [];
    const mountPoints: Record<string, unknown>[] = [];
    for (const request of containerMountRequests(container.config, container.hostConfig)) {
      if (request.type === 'tmpfs') {
        mounts.push({
          destination: request.destination,
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['nosuid', 'nodev', 'noexec', ...(request.readonly ? ['ro'] : []), ...request.tmpfsOptions],
        });
        // `--tmpfs` is not listed in inspect's Mounts; `--mount type=tmpfs` is.
        if (isApiMount(container, request.destination))
          mountPoints.push({
            Type: 'tmpfs',
            Source: '',
            Destination: request.destination,
            Mode: '',
            RW: !request.readonly,
            Propagation: '',
          });
        continue;
      }
      if (request.type === 'bind') {
        await this.ensureBindSource(request);
        await checkPropagationSource(request);
        mounts.push(bindOf(request.source, request));
        mountPoints.push({
          Type: 'bind',
          Source: request.source,
          Destination: request.destination,
          Mode: request.mode,
          RW: !request.readonly,
          Propagation: request.propagation,
        });
        continue;
      }
      const volume = await this.volumeFor(container, request);
      if (hasMountOptions(volume)) await this.options.driver.mount(volume.name, volume.options ?? {});
      const mountpoint = this.options.driver.mountpoint(volume.name);
      if (!request.noCopy && (await this.options.driver.isEmpty(volume.name)))
        await this.seed(volume, rootfs, request.destination);
      mounts.push(bindOf(mountpoint, { ...request, propagation: 'rprivate' }));
      mountPoints.push({
        Type: 'volume',
        Name: volume.name,
        Source: mountpoint,
        Destination: request.destination,
        Driver: 'local',
        Mode: request.mode === '' ? 'z' : request.mode,
        RW: !request.readonly,
        Propagation: '',
      });
    }
    return { mounts, mountPoints };
  }

  /**
   * Binds and volumes live in the task's own mount namespace: they went with it. A volume with
   * options is unmounted on the host once no running container uses it (Docker's refcount), so the
   * next user mounts it afresh.
   */
  async release(container: Container): Promise<void> {
    for (const use of this.options.store.listUses({ containerId: container.id })) {
      const volume = this.options.store.get(use.volumeName);
      if (volume === undefined || !hasMountOptions(volume)) continue;
      const stillUsed = this.options.store
        .listUses({ volumeName: volume.name })
        .some((other) => other.containerId !== container.id && this.isRunning(other.containerId));
      if (!stillUsed) await this.options.driver.unmount(volume.name);
    }
  }

  private isRunning(containerId: string): boolean {
    const status = this.options.containers.get(containerId)?.state.status;
    return status === 'running' || status === 'paused' || status === 'restarting';
  }

  /**
   * Called by the container lifecycle before it announces the removal (`destroy`), so that
   * `docker rm -v` answers once the volumes are gone; the `destroy` subscription covers the rest.
   */
  async containerRemoved(containerId: string, options: { removeAnonymousVolumes: boolean }): Promise<void> {
    const uses = this.options.store.listUses({ containerId });
    this.options.store.deleteUses(containerId);
    for (const use of uses) {
      const volume = this.options.store.get(use.volumeName);
      if (volume === undefined || !volume.anonymous || !(options.removeAnonymousVolumes || use.removeWithContainer)) continue;
      await this.remove(volume.name).catch((error: unknown) =>
        this.logger.warn({ err: error, volume: volume.name }, 'removing an anonymous volume failed'),
      );
    }
  }

  /** The named volume (created on first use) or the container's anonymous volume for this path. */
  private async volumeFor(container: Container, request: MountRequest): Promise<VolumeRecord> {
    if (request.source !== '') {
      const volume = await this.create({
        Name: request.source,
        ...(request.volumeLabels !== undefined ? { Labels: request.volumeLabels } : {}),
      });
      this.options.store.putUse({
        containerId: container.id,
        destination: request.destination,
        volumeName: volume.name,
        removeWithContainer: false,
      });
      return volume;
    }
    const previous = this.options.store
      .listUses({ containerId: container.id })
      .find((use) => use.destination === request.destination && this.options.store.get(use.volumeName) !== undefined);
    if (previous !== undefined) return this.get(previous.volumeName);
    const volume = await this.create({}, true);
    this.options.store.putUse({
      containerId: container.id,
      destination: request.destination,
      volumeName: volume.name,
      removeWithContainer: container.hostConfig.AutoRemove === true,
    });
    return volume;
  }

  /** Copies what the image has at the mount point into a new volume (scoped to the rootfs). */
  private async seed(volume: VolumeRecord, rootfs: string, destination: string): Promise<void> {
    const source = await resolveInRoot(rootfs, destination);
    try {
      if (!(await stat(source)).isDirectory()) return;
    } catch {
      return;
    }
    await this.options.driver.seed(volume.name, source);
  }

  private async ensureBindSource(request: MountRequest): Promise<void> {
    try {
      await stat(request.source);
    } catch {
      if (!request.createSource)
        throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${request.source}`);
      await mkdir(request.source, { recursive: true, mode: 0o755 });
    }
  }

  private matches(volume: VolumeRecord, filters: VolumeFilters): boolean {
    for (const [key, values] of filters) {
      if (values.length === 0) continue;
      const ok = values.some((value) => {
        switch (key) {
          case 'name':
            return volume.name.includes(value);
          case 'driver':
            return volume.driver === value;
          case 'dangling': {
            const dangling = value === 'true' || value === '1';
            return dangling === (this.usedBy(volume.name).length === 0);
          }
          case 'label': {
            const labels = volume.labels ?? {};
            const separator = value.indexOf('=');
            return separator === -1
              ? Object.hasOwn(labels, value)
              : labels[value.slice(0, separator)] === value.slice(separator + 1);
          }
          default:
            throw invalidArgument(`invalid filter '${key}'`);
        }
      });
      if (!ok) return false;
    }
    return true;
  }

  private publish(volume: VolumeRecord, action: string): void {
    this.options.events.publish({ type: 'volume', action, actor: { id: volume.name, attributes: { driver: volume.driver } } });
  }
}

function bindOf(source: string, request: MountRequest): OciMount {
  return {
    destination: request.destination,
    type: 'bind',
    source,
    options: ['rbind', request.propagation === '' ? 'rprivate' : request.propagation, request.readonly ? 'ro' : 'rw'],
  };
}

function isApiMount(container: Container, destination: string): boolean {
  const mounts = container.hostConfig['Mounts'];
  return Array.isArray(mounts) && mounts.some((mount) => (mount as { Target?: string }).Target === destination);
}

function safeRequests(container: Container): MountRequest[] {
  try {
    return containerMountRequests(container.config, container.hostConfig);
  } catch {
    return [];
  }
}

/** Docker's local driver options: the mount type, its device and its mount options. */
const localOptionKeys = new Set(['type', 'device', 'o']);

function validateLocalOptions(options: Record<string, string> | null): void {
  if (options === null || Object.keys(options).length === 0) return;
  for (const key of Object.keys(options)) if (!localOptionKeys.has(key)) throw invalidArgument(`invalid option key: "${key}"`);
  if (options['type'] === undefined || options['type'] === '') throw invalidArgument('missing required option: "type"');
  if (options['device'] === undefined || options['device'] === '') throw invalidArgument('missing required option: "device"');
}

function hasMountOptions(volume: VolumeRecord): boolean {
  return volume.options !== null && Object.keys(volume.options).length > 0;
}

/**
 * dockerd's check: a bind that should see mounts made later on the host (`rshared`, `rslave`) only
 * can when the host's mount holding its source propagates; otherwise it would silently not.
 */
async function checkPropagationSource(request: MountRequest): Promise<void> {
  const wanted = request.propagation;
  if (!['shared', 'rshared', 'slave', 'rslave'].includes(wanted)) return;
  const { mountPoint, shared, slave } = await mountPropagationOf(await realpath(request.source));
  if (wanted.endsWith('shared') && !shared)
    throw invalidArgument(`path ${request.source} is mounted on ${mountPoint} but it is not a shared mount`);
  if (wanted.endsWith('slave') && !shared && !slave)
    throw invalidArgument(`path ${request.source} is mounted on ${mountPoint} but it is not a shared or slave mount`);
}
