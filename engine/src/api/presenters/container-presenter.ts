import { join } from 'node:path';
import type { Container } from '../../core/containers/container.js';
import { containerHealth, healthStatusSuffix } from './container-health-source.js';
import { emptySettings } from '../../services/networks/isolated-networking.js';
import { presentPortList } from './network-presenter.js';

/** Docker's `State.Status` strings and the human `Status` column of `docker ps`. */
export function humanStatus(container: Container, now = Date.now()): string {
  const { state } = container;
  switch (state.status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(state.startedAt))}${healthStatusSuffix(container.id)}`; // health: services/health
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(state.startedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${state.exitCode}) ${humanDuration(now - Date.parse(state.finishedAt))} ago`;
    case 'exited':
      return `Exited (${state.exitCode}) ${humanDuration(now - Date.parse(state.finishedAt))} ago`;
    case 'created':
      return 'Created';
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
  }
}

/** go-units HumanDuration, which `docker ps` shows. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(seconds / 3600 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

function commandString(container: Container): string {
  return [container.path, ...container.args].map((part) => (/\s/.test(part) ? `'${part}'` : part)).join(' ');
}

/** An item of `GET /containers/json` (with SizeRw/SizeRootFs for `size=1`). */
export function presentContainerSummary(
  container: Container,
  size?: { SizeRw: number; SizeRootFs: number },
): Record<string, unknown> {
  return {
    Id: container.id,
    Names: [`/${container.name}`],
    Image: container.imageName,
    ImageID: container.imageId,
    Command: commandString(container),
    Created: Math.floor(Date.parse(container.created) / 1000),
    Ports: presentPortList(container.networkSettings),
    // Go's omitempty: a list item leaves out a zero size (inspect keeps it).
    ...(size !== undefined && size.SizeRw !== 0 ? { SizeRw: size.SizeRw } : {}),
    ...(size !== undefined && size.SizeRootFs !== 0 ? { SizeRootFs: size.SizeRootFs } : {}),
    Labels: container.config.Labels ?? {},
    State: container.state.status,
    Status: humanStatus(container),
    HostConfig: { NetworkMode: container.hostConfig.NetworkMode ?? 'default' },
    // `docker ps --format {{.Networks}}` lists their names. dockerd's list keeps each endpoint's
    // addresses but not its aliases, links or driver options.
    NetworkSettings: { Networks: listedNetworks(container.networkSettings?.['Networks']) },
    Mounts: container.mountPoints ?? [],
  };
}

function listedNetworks(networks: unknown): Record<string, unknown> {
  if (networks === null || typeof networks !== 'object') return {};
  return Object.fromEntries(
    Object.entries(networks as Record<string, Record<string, unknown>>).map(([name, endpoint]) => [
      name,
      { ...endpoint, Aliases: null, Links: null, DriverOpts: null },
    ]),
  );
}

export interface InspectPaths {
  /** The container's directory (hostname, hosts, resolv.conf live there). */
  directory: string;
  rootfsDir: string;
  /** Overlay directories of the writable layer. */
  storage: { LowerDir?: string; UpperDir?: string; WorkDir?: string };
  size?: { SizeRw: number; SizeRootFs: number };
}

/** `GET /containers/{id}/json`. */
export function presentContainerInspect(container: Container, paths: InspectPaths): Record<string, unknown> {
  const { state } = container;
  const health = presentHealth(containerHealth(container.id) ?? (state as { health?: unknown }).health); // health: services/health
  return {
    Id: container.id,
    Created: container.created,
    Path: container.path,
    Args: container.args,
    State: {
      Status: state.status,
      // dockerd counts a restarting container as running (Running and Restarting both true).
      Running: state.status === 'running' || state.status === 'paused' || state.status === 'restarting',
      Paused: state.status === 'paused',
      Restarting: state.status === 'restarting',
      OOMKilled: state.oomKilled,
      Dead: state.status === 'dead',
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: state.startedAt,
      FinishedAt: state.finishedAt,
      ...(health !== undefined ? { Health: health } : {}),
    },
    Image: container.imageId,
    ResolvConfPath: join(paths.directory, 'resolv.conf'),
    HostnamePath: join(paths.directory, 'hostname'),
    HostsPath: join(paths.directory, 'hosts'),
    LogPath: container.logPath,
    Name: `/${container.name}`,
    RestartCount: container.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: container.hostConfig,
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        ...(paths.storage.LowerDir !== undefined ? { LowerDir: paths.storage.LowerDir } : {}),
        MergedDir: paths.rootfsDir,
        ...(paths.storage.UpperDir !== undefined ? { UpperDir: paths.storage.UpperDir } : {}),
        ...(paths.storage.WorkDir !== undefined ? { WorkDir: paths.storage.WorkDir } : {}),
      },
    },
    ...(paths.size !== undefined ? paths.size : {}),
    Mounts: container.mountPoints ?? [],
    Config: container.config,
    NetworkSettings: container.networkSettings ?? emptySettings(),
  };
}

/** State.Health in Docker's shape, from whatever the health monitor stored. */
function presentHealth(health: unknown): Record<string, unknown> | undefined {
  if (health === undefined || health === null || typeof health !== 'object') return undefined;
  const record = health as Record<string, unknown>;
  return {
    Status: record['Status'] ?? record['status'] ?? 'starting',
    FailingStreak: record['FailingStreak'] ?? record['failingStreak'] ?? 0,
    Log: record['Log'] ?? record['log'] ?? [],
  };
}
