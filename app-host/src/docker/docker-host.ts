import { invalidArgument } from '@berth/common';

/** Where the Docker Engine API lives. Only UNIX sockets: the app never talks TCP to an engine. */
export interface DockerHost {
  readonly socketPath: string;
  /** As the user wrote it (`unix:///run/berth/docker.sock`), for messages. */
  readonly display: string;
}

export function parseDockerHost(value: string): DockerHost {
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw invalidArgument(`docker host must be an absolute unix socket path: ${value}`);
    return { socketPath, display: value };
  }
  if (value.startsWith('/')) return { socketPath: value, display: `unix://${value}` };
  throw invalidArgument(`unsupported docker host "${value}": only unix:///path/to/socket is supported`);
}

export function defaultDockerHost(env: NodeJS.ProcessEnv = process.env): DockerHost {
  return parseDockerHost(env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock');
}
