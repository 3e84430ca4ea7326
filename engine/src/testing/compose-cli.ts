import { runDockerClient, type ClientRunOptions, type DockerResult } from './docker-cli.js';

/** docker-compose v1 (Debian's 1.29.2, docker-py): the compose client issue 5 is judged by. */
export const composeCli = process.env['BERTH_COMPOSE_CLI'] ?? '/usr/bin/docker-compose';

/**
 * Runs `docker-compose ARGS` against the engine at `socketPath` and never throws on exit status.
 * `--no-ansi` is not passed: compose 1.29 prints plain text when stdout is not a terminal.
 */
export function compose(socketPath: string, args: readonly string[], options: ClientRunOptions = {}): Promise<DockerResult> {
  return runDockerClient(composeCli, socketPath, args, options);
}
