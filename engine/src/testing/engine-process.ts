import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the `berth` launcher at the repository root. */
export const berthBin = fileURLToPath(new URL('../../../bin/berth', import.meta.url));

export interface EngineProcess {
  socketPath: string;
  dataRoot: string;
  process: ChildProcess;
  /** Everything the engine wrote on stderr so far (its structured log). */
  stderr(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (crash) and wait for exit. */
  kill(): Promise<void>;
}

/**
 * Starts `berth engine` as a separate process on a temp data root (or the given one) and waits
 * until its socket answers /_ping. For tests that drive the engine as clients do.
 */
export async function startEngineProcess(
  options: {
    dataRoot?: string;
    extraArgs?: string[];
    /**
     * Log to this file instead of a pipe: for callers that block their event loop (spawnSync in
     * benchmarks), where an undrained pipe would stall the engine on its next log line.
     */
    logFile?: string;
    /** How long the engine may take to answer (default 20 s; an emulated VM needs more). */
    startTimeoutMs?: number;
  } = {},
): Promise<EngineProcess> {
  const dataRoot = options.dataRoot ?? (await mkdtemp(join(tmpdir(), 'berth-engine-')));
  // Short socket path: sun_path holds 108 bytes.
  const socketDir = await mkdtemp('/tmp/berth-sock-');
  const socketPath = join(socketDir, 'docker.sock');
  const logFd = options.logFile !== undefined ? openSync(options.logFile, 'a') : undefined;
  const child = spawn(
    process.execPath,
    [berthBin, 'engine', '--data-root', dataRoot, '--host', `unix://${socketPath}`, ...(options.extraArgs ?? [])],
    {
      stdio: ['ignore', 'ignore', logFd ?? 'pipe'],
      env: { ...process.env, BERTH_LOG_LEVEL: process.env['BERTH_LOG_LEVEL'] ?? 'debug' },
    },
  );
  // The child holds its own copy of the descriptor.
  if (logFd !== undefined) closeSync(logFd);
  let piped = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    piped += chunk.toString('utf8');
  });
  const logFile = options.logFile;
  const stderr = (): string => (logFile !== undefined ? readFileSync(logFile, 'utf8') : piped);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`engine exited with ${child.exitCode}: ${stderr()}`);
    if (await ping(socketPath)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`engine did not answer on ${socketPath}: ${stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    socketPath,
    dataRoot,
    process: child,
    stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      await rm(socketDir, { recursive: true, force: true });
      return code;
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the engine's socket, for what the docker CLI cannot send. */
export function apiRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path,
        method,
        headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
