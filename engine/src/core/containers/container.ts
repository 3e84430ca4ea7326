import type { Digest } from '../../lib/digest.js';

/**
 * Container configuration as the Docker API defines it (`Config` and `HostConfig` of
 * `POST /containers/create`). Kept in Docker's shape because clients read it back verbatim
 * from inspect; only fields the engine acts on are typed, the rest are carried through.
 */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  [field: string]: unknown;
}

export interface HostConfig {
  AutoRemove?: boolean;
  Binds?: string[] | null;
  NetworkMode?: string;
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
  ShmSize?: number;
  ConsoleSize?: [number, number] | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  LogConfig?: { Type?: string; Config?: Record<string, string> };
  [field: string]: unknown;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  /** ISO timestamps; Docker's zero time when never set. */
  startedAt: string;
  finishedAt: string;
}

/** A container is a record (a task is its process): everything needed to start it again. */
export interface Container {
  id: string;
  /** Without the leading slash. */
  name: string;
  created: string;
  /** The image as the client named it (`Config.Image`). */
  imageName: string;
  imageId: Digest;
  /** The command actually run: entrypoint + cmd, first element split off. */
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: ContainerState;
  restartCount: number;
  /** Stopped or killed by a user: restart policies leave it stopped (Docker's HasBeenManuallyStopped). */
  manuallyStopped?: boolean;
  /** Snapshotter key of the writable layer. */
  snapshotKey: string;
  logPath: string;
  /** Docker's NetworkSettings from the last network attach (inspect shows it). */
  networkSettings?: Record<string, unknown>;
  /** Docker's Mounts (inspect, ps) from the last start. */
  mountPoints?: Record<string, unknown>[];
}

export const zeroTime = '0001-01-01T00:00:00Z';
