import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { CommandOutcome, CommandRequest, LaunchFailure, MonitorOutcome, MonitorRequest } from './launch-protocol.js';

/**
 * Process creation itself, with node:child_process. The launcher helper runs these; the engine
 * runs them itself only when the helper cannot be started. Rejections are LaunchFailures.
 */
export function runCommandHere(request: CommandRequest, signal?: AbortSignal): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(request.file, request.args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
      ...(request.env !== undefined ? { env: request.env } : {}),
      ...(signal !== undefined ? { signal } : {}),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject({ message: error.message, aborted: error.name === 'AbortError' } satisfies LaunchFailure);
    });
    child.on('close', (exitCode, exitSignal) => {
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode,
        signal: exitSignal,
      });
    });
    // A program that exits without reading its input closes the pipe under us: not an error.
    child.stdin.on('error', () => undefined);
    if (request.input !== undefined) child.stdin.end(request.input);
    else child.stdin.end();
  });
}

/** fd 3 in the child: 0-2 are its stdio, and Node numbers extra stdio entries from 3. */
const syncPipeFd = 3;

/**
 * Starts a container monitor that daemonizes itself (conmon forks, the parent exits, the child
 * calls setsid), so the monitor and the container outlive the engine even after SIGKILL. It is
 * also started `detached` so it never shares a process group with us, and gets only its stdio
 * plus the sync pipe: libuv marks every other fd close-on-exec, so none can leak into the
 * runtime (the class of CVE-2024-21626).
 *
 * Resolves once the monitor reported on the sync pipe (conmon does after `runtime create`)
 * and the first half has exited (after which conmon's pid file exists).
 */
export function startMonitorHere(request: MonitorRequest, signal?: AbortSignal): Promise<MonitorOutcome> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject({ message: `${request.file} canceled`, aborted: true } satisfies LaunchFailure);
      return;
    }
    const child = spawn(request.file, request.args, {
      cwd: request.cwd,
      env: { ...request.env, [request.syncPipeEnv]: String(syncPipeFd) },
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    const stderrChunks: Buffer[] = [];
    const syncChunks: Buffer[] = [];
    const stderr = child.stderr;
    const sync = child.stdio[syncPipeFd] as Readable | null | undefined;
    let syncLine: string | undefined;
    let syncDone = false;
    let exitCode: number | null | undefined;
    let settled = false;

    const finish = (failure?: LaunchFailure): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // The daemonized monitor keeps these open for its lifetime; we are done listening.
      stderr?.destroy();
      sync?.destroy();
      child.unref();
      if (failure !== undefined) reject(failure);
      else resolve({ syncLine, exitCode: exitCode ?? null, stderr: Buffer.concat(stderrChunks).toString('utf8') });
    };
    const maybeFinish = (): void => {
      if (syncDone && exitCode !== undefined) finish();
    };
    const onAbort = (): void => finish({ message: `${request.file} canceled`, aborted: true });
    signal?.addEventListener('abort', onAbort, { once: true });

    stderr?.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
    stderr?.on('error', () => undefined);
    sync?.on('data', (chunk: Buffer) => {
      syncChunks.push(chunk);
      const text = Buffer.concat(syncChunks).toString('utf8');
      const newline = text.indexOf('\n');
      if (newline !== -1 && !syncDone) {
        syncLine = text.slice(0, newline);
        syncDone = true;
        maybeFinish();
      }
    });
    const onSyncEnd = (): void => {
      if (syncDone) return;
      const text = Buffer.concat(syncChunks).toString('utf8').trim();
      if (text !== '') syncLine = text;
      syncDone = true;
      maybeFinish();
    };
    sync?.on('end', onSyncEnd);
    sync?.on('close', onSyncEnd);
    sync?.on('error', onSyncEnd);
    child.on('error', (error) => finish({ message: error.message, aborted: false }));
    child.on('exit', (code, exitSignal) => {
      exitCode = code ?? (exitSignal !== null ? 128 : null);
      maybeFinish();
    });
  });
}
