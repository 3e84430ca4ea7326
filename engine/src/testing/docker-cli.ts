import { spawn } from 'node:child_process';

/** The real docker CLI: the compatibility judge for every API feature. */
export const dockerCli = process.env['BERTH_DOCKER_CLI'] ?? '/usr/local/bin/docker';

export interface DockerResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `docker ARGS` against the engine at `socketPath`, with optional stdin, and never throws on exit status. */
export function docker(
  socketPath: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(dockerCli, args, {
      env: { ...process.env, DOCKER_HOST: `unix://${socketPath}`, DOCKER_CONFIG: '/tmp/berth-docker-config', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
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
