import type { Container } from '../../core/containers/container.js';
import { emptySettings } from '../../services/networks/isolated-networking.js';

/** Docker's `State.Status` strings and the human `Status` column of `docker ps`. */
export function humanStatus(container: Container, now = Date.now()): string {
  const { state } = container;
  switch (state.status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(state.startedAt))}`;
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

/** An item of `GET /containers/json`. */
export function presentContainerSummary(container: Container): Record<string, unknown> {
  return {
    Id: container.id,
    Names: [`/${container.name}`],
    Image: container.imageName,
    ImageID: container.imageId,
    Command: commandString(container),
    Created: Math.floor(Date.parse(container.created) / 1000),
    Ports: [],
    Labels: container.config.Labels ?? {},
    State: container.state.status,
    Status: humanStatus(container),
    HostConfig: { NetworkMode: container.hostConfig.NetworkMode ?? 'bridge' },
    NetworkSettings: { Networks: {} },
    Mounts: container.mountPoints ?? [],
  };
}

/** `GET /containers/{id}/json`. */
export function presentContainerInspect(container: Container, rootfsDir: string): Record<string, unknown> {
  const { state } = container;
  return {
    Id: container.id,
    Created: container.created,
    Path: container.path,
    Args: container.args,
    State: {
      Status: state.status,
      Running: state.status === 'running' || state.status === 'paused',
      Paused: state.status === 'paused',
      Restarting: state.status === 'restarting',
      OOMKilled: state.oomKilled,
      Dead: state.status === 'dead',
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: state.startedAt,
      FinishedAt: state.finishedAt,
    },
    Image: container.imageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
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
    GraphDriver: { Name: 'overlay2', Data: { MergedDir: rootfsDir } },
    Mounts: container.mountPoints ?? [],
    Config: container.config,
    NetworkSettings: container.networkSettings ?? emptySettings(),
  };
}
