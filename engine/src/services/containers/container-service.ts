import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, conflict, invalidArgument, notFound } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import type { Container, ContainerConfig, ContainerStatus, HostConfig } from '../../core/containers/container.js';
import { zeroTime } from '../../core/containers/container.js';
import type { ContainerStore } from '../../core/containers/container-store.js';
import type { ContainerHealthSource } from '../../core/containers/container-health.js';
import type { RootfsMounter } from '../../core/containers/rootfs-mounter.js';
import type { ImageService } from '../../core/images/image-service.js';
import type { ContainerNetworking } from '../../core/networks/container-networking.js';
import type { ContainerMounts } from '../../core/volumes/container-mounts.js';
import type { Snapshotter } from '../../core/snapshots/snapshotter.js';
import type { TaskExit, TaskRuntime } from '../../core/runtime/task-runtime.js';
import type { EventBus } from '../events/event-bus.js';
import { containerEvent } from '../events/container-event.js';
import { AttachHub, type AttachClient, type AttachOptions } from './attach-hub.js';
import { commandLine, mergeImageDefaults, validateContainerName, withDockerHostDefaults } from './container-defaults.js';
import type { ContainerSpecFactory } from './container-spec.js';
import { ExitNotifier, type ExitResult } from './exit-notifier.js';
import { KeyedMutex } from '../../lib/keyed-mutex.js';
import { generateContainerName } from './name-generator.js';
import { parseSignal } from './signals.js';
import { detectCgroupHost, type CgroupHost } from './cgroup-host.js';
import { checkFilters, matchesContainerFilters, type ContainerFilters, type FilterContext } from './container-filters.js';
import { directorySize } from '../../lib/directory-size.js';
import { overlayDirs, type OverlayDirs } from './container-storage.js';
import { parsePsOutput, psArguments, type TopResult } from './container-top.js';
import { parseDeviceCgroupRules, ulimitsToRlimits, validateDevices } from './host-config-spec.js';
import { adaptResources, pickResources, toOciUpdate, validateResources, type ResourceFields } from './resources.js';
import { parseRestartPolicy, RestartManager } from './restart-manager.js';
import { ContainerReaper, type ReapEntry } from './container-reaper.js';
import { mountPoints } from '../../lib/mount-table.js';

export interface ContainerServiceOptions {
  store: ContainerStore;
  images: ImageService;
  snapshotter: Snapshotter;
  runtime: TaskRuntime;
  mounter: RootfsMounter;
  specFactory: ContainerSpecFactory;
  networking: ContainerNetworking;
  mounts: ContainerMounts;
  events: EventBus;
  /** `<dataRoot>/containers`: one directory per container (bundle, rootfs mount point, hosts files, log). */
  containersDir: string;
  /** `<dataRoot>/reaping`: the journal of removed containers whose host resources are still being reclaimed. */
  reapingDir: string;
  logger: Logger;
  /** Runs the host's `ps` with these arguments and returns its output (for `docker top`). */
  listHostProcesses?: (args: string[]) => Promise<string>;
  /** The host's cgroup facts (tests inject them); read from /sys/fs/cgroup by default. */
  cgroupHost?: CgroupHost;
  /** Healthcheck states, for `docker ps --filter health=...` (the health monitor; none: every container is `none`). */
  health?: ContainerHealthSource;
}

export interface ListOptions {
  all: boolean;
  limit?: number;
  filters: ContainerFilters;
}

export interface ContainerSize {
  SizeRw: number;
  SizeRootFs: number;
}

export interface CreateContainerRequest {
  name?: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** `NetworkingConfig` of the create body (endpoint aliases, static addresses). */
  networkingConfig?: unknown;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Containers with a prewarmed start no start has claimed yet, at most (see ContainerService.prewarm). */
const maxPrewarmed = 4;

/** How long a prewarmed start counts against maxPrewarmed unclaimed. */
const prewarmClaimMs = 10_000;

/**
 * Container lifecycle: records (create, remove), tasks (start, stop, kill) and the exits that
 * tie them together. Operations on one container are serialised; different containers run in parallel.
 */
export class ContainerService {
  readonly attachHub: AttachHub;
  private readonly exits = new ExitNotifier();
  private readonly locks = new KeyedMutex();
  private readonly restarts = new RestartManager();
  /** Names of creates in progress, with the IDs they will have. */
  private readonly reservedNames = new Map<string, string>();
  /** Containers whose root and namespace were readied after create, until a start or removal claims them (see prewarm). */
  private readonly prewarmed = new Map<string, { ready: Promise<void>; expiry: NodeJS.Timeout }>();
  private cgroupHostFacts: Promise<CgroupHost> | undefined;
  private readonly store: ContainerStore;
  private readonly logger: Logger;
  private readonly reaper: ContainerReaper;

  constructor(private readonly options: ContainerServiceOptions) {
    this.store = options.store;
    this.logger = options.logger.child({ component: 'containers' });
    this.attachHub = new AttachHub(options.runtime, this.logger);
    this.reaper = new ContainerReaper({
      journalDir: options.reapingDir,
      reclaim: (entry) => this.reclaim(entry),
      logger: this.logger,
    });
  }

  /**
   * Resolves once removed containers have given back their host resources: image removal waits,
   * so the layers under a just-removed container's writable layer can go; engine stop waits too.
   */
  settled(): Promise<void> {
    return this.reaper.settled();
  }

  /**
   * At engine stop: the roots a prewarm or `docker cp` mounted for containers that are not running
   * are unmounted (the next start or cp mounts them again), so a stopped engine leaves no mount
   * but those of running containers.
   */
  async unmountIdleRoots(): Promise<void> {
    await Promise.all([...this.prewarmed.keys()].map((id) => this.claimPrewarmed(id)));
    const mounted = mountPoints();
    for (const container of this.store.listFrozen()) {
      // Not `restarting`: a restart may be mounting that root right now.
      if (container.state.status !== 'created' && container.state.status !== 'exited' && container.state.status !== 'dead')
        continue;
      const rootfs = join(this.options.containersDir, container.id, 'rootfs');
      if (!mounted.has(rootfs)) continue;
      await this.options.mounter
        .unmount(rootfs)
        .catch((error: unknown) => this.logger.warn({ err: error, containerId: container.id }, 'unmount at stop failed'));
    }
  }

  /** Finds a container by full ID, name (with or without `/`) or unique ID prefix. */
  find(reference: string): Container | undefined {
    const byId = this.store.get(reference);
    if (byId !== undefined) return byId;
    const name = reference.startsWith('/') ? reference.slice(1) : reference;
    const byName = this.store.findByName(name);
    if (byName !== undefined) return byName;
    if (!/^[a-f0-9]+$/.test(reference)) return undefined;
    // Prefixes are how the CLI names containers (`docker ps` shows 12 characters): scan without copying.
    const matches = this.store.listFrozen().filter((container) => container.id.startsWith(reference));
    if (matches.length > 1) throw invalidArgument(`multiple containers found with provided prefix: ${reference}`);
    const match = matches[0];
    return match === undefined ? undefined : this.store.get(match.id);
  }

  get(reference: string): Container {
    const container = this.find(reference);
    if (container === undefined) throw notFound(`No such container: ${reference}`);
    return container;
  }

  list(): Container[] {
    return this.store.list();
  }

  async create(request: CreateContainerRequest): Promise<Container> {
    const imageName = request.config.Image ?? '';
    if (imageName === '') throw invalidArgument('Config.Image is required');
    const id = randomBytes(32).toString('hex');
    const name =
      request.name === undefined || request.name === ''
        ? generateContainerName((candidate) => this.nameOwner(candidate) !== undefined)
        : validateContainerName(request.name);
    const owner = this.nameOwner(name);
    if (owner !== undefined)
      throw conflict(
        `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    // Held until the record is stored: concurrent creates check names before either has stored its record.
    this.reservedNames.set(name, id);
    let container: Container;
    try {
      container = await this.createRecord(request, { id, name, imageName });
    } finally {
      this.reservedNames.delete(name);
    }
    this.prewarm(container);
    return container;
  }

  /**
   * `docker run` starts a few milliseconds after create: the container's root filesystem is
   * mounted and its network namespace made now, each a process, so the start finds them ready.
   * Only `maxPrewarmed` containers at a time hold such a start unclaimed, so a burst of creates
   * (`docker compose up`, hundreds of `docker create`) does not mount and plumb them all. A
   * mounted root stays mounted as after `docker cp` (start skips it, remove unmounts it); the
   * network layer deletes a namespace no start claims. Failures are left for the start to meet.
   */
  private prewarm(container: Container): void {
    if (this.prewarmed.size >= maxPrewarmed) return;
    const rootfs = join(this.options.containersDir, container.id, 'rootfs');
    const ready = Promise.allSettled([
      this.options.networking.prewarm?.(container),
      this.options.snapshotter.mounts(container.snapshotKey).then((mounts) => this.options.mounter.mount(mounts, rootfs)),
    ]).then(() => undefined);
    const expiry = setTimeout(() => this.prewarmed.delete(container.id), prewarmClaimMs);
    expiry.unref();
    this.prewarmed.set(container.id, { ready, expiry });
  }

  /** Waits for what create began readying, if anything: the steps after it then find it done. */
  private async claimPrewarmed(containerId: string): Promise<void> {
    const prewarmed = this.prewarmed.get(containerId);
    if (prewarmed === undefined) return;
    this.prewarmed.delete(containerId);
    clearTimeout(prewarmed.expiry);
    await prewarmed.ready;
  }

  /** The ID of the container that has (or is being created with) this name. */
  private nameOwner(name: string): string | undefined {
    return this.reservedNames.get(name) ?? this.store.findByName(name)?.id;
  }

  private async createRecord(
    request: CreateContainerRequest,
    { id, name, imageName }: { id: string; name: string; imageName: string },
  ): Promise<Container> {
    const hostConfig = await this.checkHostConfig(request.hostConfig);
    const image = await this.options.images.get(imageName);
    const config = mergeImageDefaults(request.config, image.config.config);
    config.Image = imageName;
    const { path, args } = commandLine(config);
    config.Hostname = config.Hostname !== undefined && config.Hostname !== '' ? config.Hostname : id.slice(0, 12);
    const directory = join(this.options.containersDir, id);
    const container: Container = {
      id,
      name,
      created: new Date().toISOString(),
      imageName,
      imageId: image.id,
      path,
      args,
      config,
      hostConfig,
      state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: zeroTime, finishedAt: zeroTime },
      restartCount: 0,
      snapshotKey: `container-${id}`,
      logPath: join(directory, 'container.log'),
    };
    // Networks: an unknown one fails the create (404) before anything is made.
    await this.options.networking.register?.(container, request.networkingConfig);
    try {
      await Promise.all([
        mkdir(directory, { recursive: true, mode: 0o710 }),
        this.options.snapshotter.prepare(container.snapshotKey, image.chainIds.at(-1)),
      ]);
      this.store.insert(container);
    } catch (error) {
      // Nothing half-created: the writable layer and the directory go with the failed record.
      await this.options.snapshotter.remove(container.snapshotKey).catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
    this.publish(container, 'create');
    return container;
  }

  async start(reference: string): Promise<void> {
    const { id } = this.get(reference);
    await this.locks.run(id, async () => {
      const container = this.get(id);
      if (container.state.status === 'running' || container.state.status === 'paused')
        throw new AppError('not-modified', 'container already started');
      // A manual start begins a new restart sequence, as dockerd's ResetRestartManager does.
      this.restarts.reset(id);
      container.restartCount = 0;
      container.manuallyStopped = false;
      await this.startTask(container);
    });
  }

  async stop(reference: string, timeoutSeconds?: number): Promise<void> {
    const { id } = this.get(reference);
    await this.locks.run(id, async () => {
      const container = this.get(id);
      if (container.state.status === 'restarting') {
        this.settleRestarting(container);
        this.publish(container, 'stop');
        return;
      }
      if (container.state.status !== 'running' && container.state.status !== 'paused')
        throw new AppError('not-modified', 'container already stopped');
      this.markManuallyStopped(container);
      await this.resumeIfPaused(container);
      await this.stopTask(container, timeoutSeconds);
      this.publish(container, 'stop');
    });
  }

  async kill(reference: string, signalName: string | undefined): Promise<void> {
    const container = this.get(reference);
    const signal = parseSignal(signalName ?? 'KILL');
    if (container.state.status !== 'running' && container.state.status !== 'paused')
      throw conflict(`Cannot kill container: ${reference}: Container ${container.id} is not running`);
    // Signals that end the task count as a manual stop (no policy restart); WINCH from `run -it` does not.
    if (terminatingSignals.has(String(signal)) || String(signal) === String(parseSignal(container.config.StopSignal ?? 'TERM')))
      this.markManuallyStopped(container);
    await this.options.runtime.kill(container.id, signal);
    if (container.state.status === 'paused' && (signal === 'KILL' || signal === 9)) await this.resumeIfPaused(container);
    if (signal !== 'WINCH') this.publish(container, 'kill', { signal: String(signal) });
  }

  /** `docker rm`; `removeVolumes` (`-v`) also removes the container's anonymous volumes. */
  async remove(reference: string, options: { force: boolean; removeVolumes?: boolean }): Promise<void> {
    const { id } = this.get(reference);
    await this.locks.run(id, async () => {
      const container = this.get(id);
      if (container.state.status === 'restarting') {
        if (!options.force)
          throw conflict(
            `You cannot remove a restarting container ${container.id}. Stop the container before attempting removal or force remove`,
          );
        this.settleRestarting(container);
      }
      if (container.state.status === 'running' || container.state.status === 'paused') {
        if (!options.force)
          throw conflict(
            `You cannot remove a running container ${container.id}. Stop the container before attempting removal or force remove`,
          );
        this.markManuallyStopped(container);
        await this.options.runtime.kill(container.id, 'KILL').catch(() => undefined);
        await this.resumeIfPaused(container).catch(() => undefined);
        await this.awaitExitRecorded(container.id);
      }
      this.restarts.reset(id);
      await this.removeRecord(this.get(id), { removeVolumes: options.removeVolumes === true });
    });
  }

  async attach(reference: string, request: { options: AttachOptions; client: AttachClient }): Promise<void> {
    const container = this.get(reference);
    const isRunning = container.state.status === 'running' || container.state.status === 'paused';
    this.publish(container, 'attach');
    await this.attachHub.attach(container.id, isRunning, request.client, request.options);
  }

  async resize(reference: string, size: { rows: number; columns: number }): Promise<void> {
    const container = this.get(reference);
    if (container.state.status !== 'running') throw conflict(`Container ${container.id} is not running`);
    if (container.config.Tty !== true || size.rows <= 0 || size.columns <= 0) return;
    await this.options.runtime.resize(container.id, size);
  }

  /** `docker restart`: stop (if running) and start again, a new restart sequence. */
  async restart(reference: string, timeoutSeconds?: number): Promise<void> {
    const { id } = this.get(reference);
    await this.locks.run(id, async () => {
      const container = this.get(id);
      if (container.state.status === 'restarting') this.settleRestarting(container);
      if (container.state.status === 'running' || container.state.status === 'paused') {
        this.markManuallyStopped(container);
        await this.resumeIfPaused(container);
        await this.stopTask(container, timeoutSeconds);
      }
      const stopped = this.get(id);
      this.restarts.reset(id);
      stopped.restartCount = 0;
      stopped.manuallyStopped = false;
      await this.startTask(stopped);
      this.publish(stopped, 'restart');
    });
  }

  async pause(reference: string): Promise<void> {
    const { id } = this.get(reference);
    await this.locks.run(id, async () => {
      const container = this.get(id);
      if (container.state.status === 'paused') throw conflict(`Container ${id} is already paused`);
      if (container.state.status === 'restarting')
        throw conflict(`Container ${id} is restarting, wait until the container is running`);
      if (container.state.status !== 'running') throw conflict(`Container ${id} is not running`);
      await this.options.runtime.pause(id);
      this.setStatus(id, 'running', 'paused');
      this.publish(container, 'pause');
    });
  }

  async unpause(reference: string): Promise<void> {
    const { id } = this.get(reference);
    await this.locks.run(id, async () => {
      const container = this.get(id);
      if (container.state.status !== 'paused') throw conflict(`Container ${id} is not paused`);
      await this.options.runtime.resume(id);
      this.setStatus(id, 'paused', 'running');
      this.publish(container, 'unpause');
    });
  }

  async rename(reference: string, newName: string): Promise<void> {
    const { id } = this.get(reference);
    await this.locks.run(id, () => {
      const container = this.get(id);
      if (newName === '' || newName === '/') throw invalidArgument('Neither old nor new names may be empty');
      const name = validateContainerName(newName);
      if (name === container.name) throw invalidArgument('Renaming a container with the same name as its current name');
      const owner = this.nameOwner(name);
      if (owner !== undefined)
        throw conflict(
          `Error when allocating new name: Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      const oldName = container.name;
      container.name = name;
      this.store.update(container);
      this.publish(container, 'rename', { oldName: `/${oldName}` });
      return Promise.resolve();
    });
  }

  /**
   * `docker update`: dockerd's rules (only non-zero values change, a memory limit above the
   * stored swap limit needs a new swap limit), applied to the live task first and stored only
   * once the runtime accepted them.
   */
  async update(reference: string, body: Record<string, unknown>): Promise<{ Warnings: null }> {
    const { id } = this.get(reference);
    return this.locks.run(id, async () => {
      const container = this.get(id);
      const updates = pickResources(body);
      const current = pickResources(container.hostConfig);
      const merged: ResourceFields = { ...current };
      for (const [key, value] of Object.entries(updates) as [keyof ResourceFields, unknown][]) {
        if (key === 'PidsLimit') {
          if (value !== null && value !== undefined) merged.PidsLimit = (value as number) <= 0 ? null : (value as number);
        } else if (value !== 0 && value !== '' && value !== null && value !== false) {
          (merged as Record<string, unknown>)[key] = value;
        }
      }
      const cannotUpdate = (message: string): string => `Cannot update container ${id}: ${message}`;
      if ((updates.Memory ?? 0) !== 0 && (updates.Memory ?? 0) > (current.MemorySwap ?? 0) && (updates.MemorySwap ?? 0) === 0)
        throw conflict(
          cannotUpdate(
            'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time',
          ),
        );
      validateResources(merged, await this.cgroupHost());
      let restartPolicy = container.hostConfig.RestartPolicy;
      const requestedPolicy = body['RestartPolicy'] as HostConfig['RestartPolicy'] | undefined;
      if (requestedPolicy !== undefined && requestedPolicy !== null && (requestedPolicy.Name ?? '') !== '') {
        if (container.hostConfig.AutoRemove === true)
          throw invalidArgument(cannotUpdate('Restart policy cannot be updated because AutoRemove is enabled for the container'));
        const policy = parseRestartPolicy({ RestartPolicy: requestedPolicy });
        restartPolicy = { Name: policy.name, MaximumRetryCount: policy.maximumRetryCount };
      }
      if (container.state.status === 'running' || container.state.status === 'paused') {
        try {
          await this.options.runtime.update(id, toOciUpdate(merged));
        } catch (error) {
          throw new AppError('internal', cannotUpdate(error instanceof Error ? error.message : String(error)), { cause: error });
        }
      }
      const fresh = this.get(id);
      fresh.hostConfig = {
        ...fresh.hostConfig,
        ...merged,
        ...(restartPolicy !== undefined ? { RestartPolicy: restartPolicy } : {}),
      };
      this.store.update(fresh);
      this.publish(fresh, 'update');
      return { Warnings: null };
    });
  }

  /** `docker container prune`: removes stopped containers matching `until` and `label` filters. */
  async prune(filters: ContainerFilters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    for (const key of filters.keys())
      if (key !== 'until' && key !== 'label' && key !== 'label!') throw invalidArgument(`invalid filter '${key}'`);
    const until = (filters.get('until') ?? []).map(parseUntil);
    const labelFilters: ContainerFilters = new Map([...filters].filter(([key]) => key !== 'until'));
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const container of this.store.list()) {
      if (!['created', 'exited', 'dead'].includes(container.state.status)) continue;
      if (until.some((limit) => !(Date.parse(container.created) < limit))) continue;
      if (!matchesContainerFilters(container, labelFilters, { ancestorImageIds: new Set() })) continue;
      const size = await this.size(container);
      try {
        await this.remove(container.id, { force: false });
      } catch (error) {
        this.logger.warn({ err: error, containerId: container.id }, 'prune could not remove container');
        continue;
      }
      deleted.push(container.id);
      reclaimed += size.SizeRw;
    }
    this.options.events.publish({
      type: 'container',
      action: 'prune',
      actor: { id: '', attributes: { reclaimed: String(reclaimed) } },
    });
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** `docker top`: the host's ps output, only the rows of the container's processes. */
  async top(reference: string, psArgs: string | undefined): Promise<TopResult> {
    const container = this.get(reference);
    if (container.state.status === 'restarting')
      throw conflict(`Container ${container.id} is restarting, wait until the container is running`);
    if (container.state.status !== 'running' && container.state.status !== 'paused')
      throw conflict(`Container ${container.id} is not running`);
    const args = psArguments(psArgs);
    const listHostProcesses = this.options.listHostProcesses;
    if (listHostProcesses === undefined) throw new AppError('internal', 'process listing is not available');
    const pids = new Set(await this.options.runtime.pids(container.id));
    const result = parsePsOutput(await listHostProcesses(args), pids);
    this.publish(container, 'top');
    return result;
  }

  /**
   * `docker ps` with dockerd's filters, newest first. The records are the store's frozen ones
   * (copying 500 records cost more than the rest of the request): read them, never change them.
   */
  async query(options: ListOptions): Promise<readonly Container[]> {
    checkFilters(options.filters);
    const ancestorImageIds = new Set<string>();
    for (const reference of options.filters.get('ancestor') ?? []) {
      const image = await this.options.images.get(reference).catch(() => undefined);
      if (image !== undefined) ancestorImageIds.add(image.id);
    }
    const bound = (key: string): number | undefined => {
      const values = options.filters.get(key) ?? [];
      const reference = values[0];
      return reference === undefined ? undefined : Date.parse(this.get(reference).created);
    };
    const createdBefore = bound('before');
    const createdSince = bound('since');
    const health = this.options.health;
    const context: FilterContext = {
      ancestorImageIds,
      ...(createdBefore !== undefined ? { createdBefore } : {}),
      ...(createdSince !== undefined ? { createdSince } : {}),
      ...(health !== undefined ? { health } : {}),
    };
    const all = options.all || (options.limit !== undefined && options.limit > 0) || options.filters.has('status');
    const records = this.store.listFrozen();
    const matching: { container: Container; created: number }[] = [];
    // Most recently stored first, so that containers created in the same millisecond keep that order after the sort.
    for (let index = records.length - 1; index >= 0; index--) {
      const container = records[index];
      if (container === undefined) continue;
      if (!all && !activeStatuses.has(container.state.status)) continue;
      if (!matchesContainerFilters(container, options.filters, context)) continue;
      matching.push({ container, created: Date.parse(container.created) });
    }
    matching.sort((a, b) => b.created - a.created);
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : matching.length;
    return matching.slice(0, limit).map((entry) => entry.container);
  }

  /** SizeRw (the writable layer's files) and SizeRootFs (plus the image), as `docker ps -s` shows. */
  async size(container: Container): Promise<ContainerSize> {
    const dirs = await this.storage(container);
    const sizeRw = dirs.UpperDir !== undefined ? await directorySize(dirs.UpperDir) : 0;
    const image = await this.options.images.get(container.imageId).catch(() => undefined);
    return { SizeRw: sizeRw, SizeRootFs: sizeRw + (image?.size ?? 0) };
  }

  /** The overlay directories of the container's writable layer (inspect's GraphDriver.Data). */
  async storage(container: Container): Promise<OverlayDirs> {
    const mounts = await this.options.snapshotter.mounts(container.snapshotKey).catch(() => []);
    return overlayDirs(mounts);
  }

  /**
   * Resolves when the container's process has ended (its output is complete), before the exit is
   * recorded and announced: log followers end first, as with dockerd, so a client that waits for
   * the exit after its log stream ends (docker-compose's `logs -f`) sees it before `die`.
   */
  async taskEnded(reference: string, signal: AbortSignal): Promise<void> {
    const container = this.get(reference);
    if (container.state.status !== 'running' && container.state.status !== 'paused') return;
    await untilNotified((listener) => this.exits.onTaskEnded(container.id, listener), signal);
  }

  /**
   * Resolves with the exit status once `condition` holds. The promise for `next-exit`/`removed`
   * is registered synchronously, so a wait opened before start cannot miss the exit.
   */
  wait(reference: string, condition: WaitCondition, signal: AbortSignal): Promise<ExitResult> {
    const container = this.get(reference);
    const isRunning =
      container.state.status === 'running' || container.state.status === 'paused' || container.state.status === 'restarting';
    if (condition === 'not-running' && !isRunning) return Promise.resolve({ exitCode: container.state.exitCode });
    return untilNotified(
      (listener) =>
        condition === 'removed' ? this.exits.onRemoved(container.id, listener) : this.exits.onNextExit(container.id, listener),
      signal,
    );
  }

  /**
   * Reconciles records with reality after an engine (re)start: containers whose task exited while
   * the engine was away get their real exit code; live ones are watched again.
   */
  async restore(): Promise<void> {
    await this.reaper.recover();
    await this.reclaimOrphanLayers();
    for (const container of this.store.list()) {
      if (this.restartsAtEngineStart(container)) {
        // Waiting for a restart (or given up on) when the engine went away: `always` and
        // `unless-stopped` bring it back, as dockerd does at daemon start.
        this.scheduleRestart(container.id, 0);
        continue;
      }
      if (container.state.status !== 'running' && container.state.status !== 'paused') continue;
      const exit = await this.options.runtime.readExit(container.id).catch(() => undefined);
      const status = await this.options.runtime.status(container.id).catch(() => undefined);
      if (exit !== undefined || status === undefined || status === 'stopped') {
        await this.recordExit(container.id, exit ?? { exitCode: 255, finishedAt: new Date(), oomKilled: false });
      } else {
        this.watchExit(container.id);
      }
    }
  }

  /** Validates a create request's HostConfig and returns it as dockerd would store it. */
  private async checkHostConfig(hostConfig: HostConfig): Promise<HostConfig> {
    const host = await this.cgroupHost();
    const resources = pickResources(hostConfig);
    validateResources(resources, host);
    parseRestartPolicy(hostConfig);
    validateDevices(hostConfig['Devices']);
    parseDeviceCgroupRules(hostConfig['DeviceCgroupRules']);
    ulimitsToRlimits(hostConfig['Ulimits']);
    if (hostConfig.ShmSize !== undefined && hostConfig.ShmSize < 0) throw invalidArgument('SHM size can not be less than 0');
    return withDockerHostDefaults({ ...hostConfig, ...adaptResources(resources, host) }, host.version);
  }

  private cgroupHost(): Promise<CgroupHost> {
    this.cgroupHostFacts ??=
      this.options.cgroupHost !== undefined ? Promise.resolve(this.options.cgroupHost) : detectCgroupHost();
    return this.cgroupHostFacts;
  }

  /** Records a user's stop/kill so restart policies leave the container alone. */
  private markManuallyStopped(container: Container): void {
    const current = this.store.get(container.id);
    if (current === undefined || current.manuallyStopped === true) return;
    current.manuallyStopped = true;
    this.store.update(current);
  }

  /**
   * A stop of a container waiting for its next restart: no restart, plain exited. `wait` callers
   * hear of it, as dockerd's SetStopped tells them (they waited for a container that counted as running).
   */
  private settleRestarting(container: Container): void {
    this.restarts.cancel(container.id);
    container.state.status = 'exited';
    container.manuallyStopped = true;
    this.store.update(container);
    this.exits.exited(container.id, { exitCode: container.state.exitCode });
  }

  /** Thaws a paused task so a stop signal is delivered (as dockerd does for stop/kill/rm -f). */
  private async resumeIfPaused(container: Container): Promise<void> {
    if (this.store.get(container.id)?.state.status !== 'paused') return;
    await this.options.runtime.resume(container.id);
    this.setStatus(container.id, 'paused', 'running');
  }

  private setStatus(id: string, from: ContainerStatus, to: ContainerStatus): void {
    const current = this.store.get(id);
    if (current === undefined || current.state.status !== from) return;
    current.state.status = to;
    this.store.update(current);
  }

  /** Starts a container again once its restart delay has passed, unless a user stopped it meanwhile. */
  private scheduleRestart(id: string, delayMs: number): void {
    this.restarts.schedule(id, delayMs, () => {
      this.locks
        .run(id, async () => {
          const container = this.store.get(id);
          if (container === undefined || container.manuallyStopped === true) return;
          if (container.state.status !== 'restarting' && container.state.status !== 'exited') return;
          const lastExitCode = container.state.exitCode;
          try {
            await this.startTask(container);
          } catch (error) {
            // dockerd's SetStopped after a failed restart: stopped with the last exit's code (the error is
            // kept), and `wait` callers, who waited for a container that counted as running, hear of it.
            const stopped = this.store.get(id);
            if (stopped !== undefined) {
              stopped.state.exitCode = lastExitCode;
              this.store.update(stopped);
            }
            this.exits.exited(id, { exitCode: lastExitCode });
            throw error;
          }
        })
        .catch((error: unknown) => this.logger.warn({ err: error, containerId: id }, 'restart failed'));
    });
  }

  /** The restart policy's verdict on an exit: the delay before restarting, or undefined. */
  private restartDelay(container: Container, exit: TaskExit): number | undefined {
    if (container.hostConfig.AutoRemove === true) return undefined;
    let policy;
    try {
      policy = parseRestartPolicy(container.hostConfig);
    } catch {
      return undefined;
    }
    const runMs = exit.finishedAt.getTime() - Date.parse(container.state.startedAt);
    return this.restarts.decide(
      container.id,
      policy,
      { exitCode: exit.exitCode, manuallyStopped: container.manuallyStopped === true, restartCount: container.restartCount },
      Number.isFinite(runMs) ? runMs : 0,
    );
  }

  /**
   * Writable layers no container record owns: a host crash can lose the reaping journal entry of
   * a container whose record's delete was already on disk (the entry is not flushed), and a crash
   * between a create's layer and its record leaves one too.
   */
  private async reclaimOrphanLayers(): Promise<void> {
    for (const snapshot of await this.options.snapshotter.list()) {
      if (snapshot.kind !== 'active' || !snapshot.key.startsWith('container-')) continue;
      const containerId = snapshot.key.slice('container-'.length);
      if (!/^[0-9a-f]{64}$/.test(containerId) || this.store.get(containerId) !== undefined) continue;
      this.logger.warn({ containerId }, 'reclaiming the writable layer of a container that no longer exists');
      await this.reclaim({ containerId, snapshotKey: snapshot.key, taskLeft: true }).catch((error: unknown) =>
        this.logger.warn({ err: error, containerId }, 'reclaiming an orphan writable layer failed'),
      );
    }
  }

  private restartsAtEngineStart(container: Container): boolean {
    if (container.state.status !== 'restarting' && container.state.status !== 'exited') return false;
    if (container.manuallyStopped === true || container.state.startedAt === zeroTime) return false;
    const policy = container.hostConfig.RestartPolicy?.Name;
    if (container.state.status === 'restarting') return policy !== undefined && policy !== 'no';
    return policy === 'always' || policy === 'unless-stopped';
  }

  private async startTask(container: Container): Promise<void> {
    const directory = join(this.options.containersDir, container.id);
    const rootfs = join(directory, 'rootfs');
    const runtime = this.options.runtime;
    await this.claimPrewarmed(container.id);
    try {
      // The root filesystem, the network and the bundle directory do not depend on each other.
      const bundleDir = join(directory, 'bundle');
      const [rootfsReady, networkReady, bundleReady] = await Promise.allSettled([
        this.options.snapshotter.mounts(container.snapshotKey).then((mounts) => this.options.mounter.mount(mounts, rootfs)),
        this.options.networking.attach(container),
        // runtime.create() clears what a previous run of this container left in it.
        mkdir(bundleDir, { recursive: true, mode: 0o700 }),
      ]);
      if (rootfsReady.status === 'rejected') throw rootfsReady.reason;
      if (networkReady.status === 'rejected') throw networkReady.reason;
      if (bundleReady.status === 'rejected') throw bundleReady.reason;
      const network = networkReady.value;
      const extraMounts = await this.options.mounts.prepare(container, rootfs);
      container.mountPoints = extraMounts.mountPoints;
      const spec = await this.options.specFactory.build(container, { directory, rootfs }, network, extraMounts.mounts);
      const consoleSize = container.hostConfig.ConsoleSize;
      const created = await runtime.create({
        containerId: container.id,
        bundleDir,
        spec,
        tty: container.config.Tty === true,
        openStdin: container.config.OpenStdin === true,
        stdinOnce: container.config.StdinOnce === true,
        logPath: container.logPath,
        ...(Array.isArray(consoleSize) && consoleSize[0] > 0 && consoleSize[1] > 0
          ? { consoleSize: { rows: consoleSize[0], columns: consoleSize[1] } }
          : {}),
      });
      // The interfaces came up while the runtime created the task; the process runs only from start.
      container.networkSettings = await network.interfacesUp;
      await this.attachHub.connectPending(container.id);
      await runtime.start(container.id);
      container.state = {
        ...container.state,
        status: 'running',
        pid: created.pid,
        exitCode: 0,
        error: '',
        oomKilled: false,
        startedAt: new Date().toISOString(),
        finishedAt: zeroTime,
      };
      this.store.update(container);
      this.watchExit(container.id);
      this.publish(container, 'start');
    } catch (error) {
      await runtime.delete(container.id, { force: true }).catch(() => undefined);
      (await this.options.networking.detach(container).catch(() => undefined))?.announce();
      await this.options.mounts.release(container).catch(() => undefined);
      await this.options.mounter.unmount(rootfs).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      // dockerd records the failure on the container: 127 when the command does not exist, 126 when it cannot run.
      container.state = {
        ...container.state,
        status: container.state.status === 'created' ? 'created' : 'exited',
        exitCode: /not found|no such file/i.test(message) ? 127 : /permission denied/i.test(message) ? 126 : 128,
        error: message,
      };
      this.store.update(container);
      // No exit to report (nothing ran): `wait` callers keep waiting, as with dockerd, and the CLI gives up.
      this.attachHub.dropPending(container.id);
      // dockerd removes an AutoRemove container whose start failed; `docker run --rm` waits for that.
      if (container.hostConfig.AutoRemove === true) {
        await this.removeRecord(container).catch((removeError: unknown) =>
          this.logger.error({ err: removeError, containerId: container.id }, 'auto-remove after failed start failed'),
        );
      }
      throw error;
    }
  }

  private async stopTask(container: Container, timeoutSeconds?: number): Promise<void> {
    const timeout = timeoutSeconds ?? container.config.StopTimeout ?? 10;
    const stopSignal = parseSignal(container.config.StopSignal ?? 'TERM');
    const exited = this.awaitExitRecorded(container.id);
    if (timeout !== 0) {
      await this.options.runtime.kill(container.id, stopSignal).catch(() => undefined);
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), timeout < 0 ? 2 ** 31 - 1 : timeout * 1000).unref()),
      ]);
      if (!timedOut) return;
    }
    await this.options.runtime.kill(container.id, 'KILL').catch(() => undefined);
    await exited;
  }

  /** Resolves once the container's exit has been recorded (state no longer running). */
  private awaitExitRecorded(id: string): Promise<void> {
    const container = this.store.get(id);
    if (container === undefined || (container.state.status !== 'running' && container.state.status !== 'paused'))
      return Promise.resolve();
    return new Promise((resolve) => this.exits.onNextExit(id, () => resolve()));
  }

  private watchExit(id: string): void {
    this.options.runtime
      .waitExit(id)
      .then(
        (exit) => this.recordExit(id, exit),
        (error: unknown) => {
          this.logger.error({ err: error, containerId: id }, 'lost track of task exit');
          return this.recordExit(id, { exitCode: 255, finishedAt: new Date(), oomKilled: false });
        },
      )
      .catch((error: unknown) => this.logger.error({ err: error, containerId: id }, 'recording exit failed'));
  }

  private async recordExit(id: string, exit: TaskExit): Promise<void> {
    const container = this.store.get(id);
    if (container === undefined) return;
    this.exits.taskEnded(id, { exitCode: exit.exitCode });
    const directory = join(this.options.containersDir, id);
    const restartDelay = this.restartDelay(container, exit);
    // A container that goes away now leaves its runtime state and rootfs mount to the reaper: nobody
    // can observe them, and `docker run --rm` need not wait for them.
    const autoRemove = restartDelay === undefined && container.hostConfig.AutoRemove === true;
    // Ports and addresses are observable (the next `-p` wants the port, `network rm` the network): released now.
    const networksLeft = this.options.networking.detach(container).catch((error: unknown) => {
      this.logger.warn({ err: error, containerId: id }, 'network detach failed');
      return undefined;
    });
    // Independent clean-ups run together: `docker run --rm` waits for all of them.
    await Promise.all([
      networksLeft,
      ...(autoRemove
        ? []
        : [
            this.options.runtime
              .delete(id, { force: true })
              .catch((error: unknown) => this.logger.warn({ err: error, containerId: id }, 'runtime delete failed')),
            // A lazy unmount of the host's view: the task's own mount namespace is unaffected.
            this.options.mounter
              .unmount(join(directory, 'rootfs'))
              .catch((error: unknown) => this.logger.warn({ err: error, containerId: id }, 'unmount failed')),
          ]),
      this.options.mounts
        .release(container)
        .catch((error: unknown) => this.logger.warn({ err: error, containerId: id }, 'releasing mounts failed')),
    ]);
    container.state = {
      ...container.state,
      status: restartDelay !== undefined ? 'restarting' : 'exited',
      pid: 0,
      exitCode: exit.exitCode,
      oomKilled: exit.oomKilled,
      finishedAt: exit.finishedAt.toISOString(),
    };
    // dockerd counts the restart when it decides on it, so inspect shows it while restarting.
    if (restartDelay !== undefined) container.restartCount += 1;
    // A host crash ends every task anyway, and the next engine records those exits itself.
    this.store.update(container, { durable: false });
    // Waiters first, then the events, in dockerd's order (SetStopped, then "die").
    this.exits.exited(id, { exitCode: exit.exitCode });
    if (exit.oomKilled) this.publish(container, 'oom');
    this.publish(container, 'die', { exitCode: String(exit.exitCode) });
    (await networksLeft)?.announce();
    if (restartDelay !== undefined) this.scheduleRestart(id, restartDelay);
    else if (autoRemove) {
      await this.locks
        .run(id, async () => {
          const current = this.store.get(id);
          if (current !== undefined && current.state.status === 'exited') await this.removeRecord(current);
        })
        .catch((error: unknown) => this.logger.error({ err: error, containerId: id }, 'auto-remove failed'));
    }
  }

  /**
   * Forgets the container. A live task is killed first (the process must be gone before the record);
   * what is left on the host (runtime state, rootfs mount, writable layer, directory) goes to the
   * reaper, journaled before the record is deleted.
   */
  private async removeRecord(
    container: Container,
    options: { removeVolumes: boolean } = { removeVolumes: false },
  ): Promise<void> {
    // A mount still being made would outlive the reaper's unmount.
    await this.claimPrewarmed(container.id);
    const mayHaveTask = container.state.status !== 'exited' && container.state.status !== 'created';
    // recordExit leaves an auto-removed container's runtime state to the reaper; others have none left.
    const taskLeft = container.state.status === 'exited' && container.hostConfig.AutoRemove === true;
    container.state.status = 'removing';
    // Passing: the durable delete below follows.
    this.store.update(container, { durable: false });
    if (mayHaveTask) await this.options.runtime.delete(container.id, { force: true }).catch(() => undefined);
    await this.reaper.schedule({ containerId: container.id, snapshotKey: container.snapshotKey, taskLeft });
    this.store.delete(container.id);
    // Before `destroy`: `docker network rm` right after `docker run --rm --network X` must find no endpoint.
    await this.options.networking
      .forget?.(container.id)
      .catch((error: unknown) => this.logger.warn({ err: error, containerId: container.id }, 'forgetting endpoints failed'));
    // Before `destroy`: `docker rm -v` answers once the volumes are gone.
    await this.options.mounts
      .containerRemoved?.(container.id, { removeAnonymousVolumes: options.removeVolumes })
      .catch((error: unknown) => this.logger.warn({ err: error, containerId: container.id }, 'releasing volumes failed'));
    this.attachHub.dropPending(container.id);
    this.publish(container, 'destroy');
    this.exits.removed(container.id, { exitCode: container.state.exitCode });
  }

  /** The reaper's work for one removed container; every step tolerates a previous partial run. */
  private async reclaim(entry: ReapEntry): Promise<void> {
    const directory = join(this.options.containersDir, entry.containerId);
    await Promise.all([
      entry.taskLeft
        ? this.options.runtime.delete(entry.containerId, { force: true }).catch((error: unknown) => {
            if (!(AppError.is(error) && error.kind === 'not-found')) throw error;
          })
        : undefined,
      this.options.mounter.unmount(join(directory, 'rootfs')),
    ]);
    await this.options.snapshotter.remove(entry.snapshotKey).catch((error: unknown) => {
      if (!(AppError.is(error) && error.kind === 'not-found')) throw error;
    });
    await rm(directory, { recursive: true, force: true });
  }

  private publish(container: Container, action: string, extra: Record<string, string> = {}): void {
    this.options.events.publish(containerEvent(container, action, extra));
  }
}

/** The statuses `docker ps` lists without `-a`. */
const activeStatuses: ReadonlySet<ContainerStatus> = new Set<ContainerStatus>(['running', 'paused', 'restarting']);

const terminatingSignals = new Set(['KILL', '9', 'TERM', '15', 'INT', '2', 'QUIT', '3', 'HUP', '1']);

/** Prune's `until`: unix seconds, an RFC 3339 time, or a Go duration before now (`10m`, `1h30m`). */
function parseUntil(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  if (/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(value)) {
    let total = 0;
    for (const match of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g))
      total += Number(match[1]) * (units[match[2] ?? 's'] ?? 0);
    return Date.now() - total;
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw invalidArgument(`failed to parse value as time or duration: "${value}"`);
  return parsed;
}

/** The next notification `subscribe` delivers, or a `canceled` error once `signal` aborts. */
function untilNotified(
  subscribe: (listener: (result: ExitResult) => void) => () => void,
  signal: AbortSignal,
): Promise<ExitResult> {
  return new Promise<ExitResult>((resolve, reject) => {
    const unsubscribe = subscribe(resolve);
    signal.addEventListener(
      'abort',
      () => {
        unsubscribe();
        reject(new AppError('canceled', 'wait canceled'));
      },
      { once: true },
    );
  });
}
