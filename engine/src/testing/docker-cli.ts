import { spawn } from 'node:child_process';

/** The real docker CLI: the compatibility judge for every API feature. */
export const dockerCli = process.env['BERTH_DOCKER_CLI'] ?? '/usr/local/bin/docker';

export interface DockerResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ClientRunOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs `docker ARGS` against the engine at `socketPath`, with optional stdin, and never throws on exit status. */
export function docker(socketPath: string, args: readonly string[], options: ClientRunOptions = {}): Promise<DockerResult> {
  return runDockerClient(dockerCli, socketPath, args, options);
}

/**
 * Runs a Docker API client program (the docker CLI, docker-compose) pointed at the engine's socket
 * through DOCKER_HOST; SIGKILLs it after the timeout (default 60 s). Never throws on exit status.
 */
export function runDockerClient(
  binary: string,
  socketPath: string,
  args: readonly string[],
  options: ClientRunOptions = {},
): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: '/tmp/berth-docker-config', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? -1,
      });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Test clean-up: force-removes every container the engine has. */
export async function removeAllContainers(socketPath: string): Promise<void> {
  const ids = (await docker(socketPath, ['ps', '-aq'])).stdout.split('\n').filter((id) => id !== '');
  if (ids.length > 0) await docker(socketPath, ['rm', '-f', ...ids]);
}
