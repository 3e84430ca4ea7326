import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ping } from './engine-process.js';

/** Debian's dockerd (package docker.io): the reference engine for interoperability tests and the bench. */
export const dockerdBinary = '/usr/sbin/dockerd';

export interface ReferenceDockerd {
  socketPath: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts a real dockerd on its own socket, data root and exec root (nothing shared with a system
 * dockerd). Its log goes to a file, not a pipe: callers that block their event loop (spawnSync)
 * would otherwise stall it once the pipe buffer filled.
 */
export async function startReferenceDockerd(
  options: {
    extraArgs?: string[];
    /** Parent of its data and exec roots (default: the temp directory), which must allow overlay2. */
    parentDir?: string;
    startTimeoutMs?: number;
  } = {},
): Promise<ReferenceDockerd> {
  if (!existsSync(dockerdBinary)) throw new Error(`${dockerdBinary} is missing: install Debian's docker.io`);
  const dir = mkdtempSync(join(options.parentDir ?? tmpdir(), 'ref-dockerd-'));
  const socketPath = join(dir, 'docker.sock');
  const logPath = join(dir, 'dockerd.log');
  const logFd = openSync(logPath, 'w');
  const child = spawn(
    dockerdBinary,
    [
      '--data-root',
      join(dir, 'root'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'docker.pid'),
      '--host',
      `unix://${socketPath}`,
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', logFd] },
  );
  closeSync(logFd);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let waited = 0; !(await ping(socketPath)); waited += 100) {
    if (child.exitCode !== null || waited > (options.startTimeoutMs ?? 30_000)) {
      child.kill('SIGKILL');
      throw new Error(`dockerd did not start: ${readFileSync(logPath, 'utf8').slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    socketPath,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      spawnSync('bash', ['-c', `umount -R ${dir}/root/overlay2/*/merged ${dir}/exec/* 2>/dev/null; true`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
