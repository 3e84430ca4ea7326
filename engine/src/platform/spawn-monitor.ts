import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { AppError } from '@berth/common';

export interface SpawnMonitorOptions {
  cwd: string;
  /** The whole environment of the monitor; the sync pipe variable is added here. */
  env: Record<string, string>;
  /** Variable that tells the monitor the fd number of its sync pipe (conmon: `_OCI_SYNCPIPE`). */
  syncPipeEnv: string;
  signal?: AbortSignal;
}

export interface SpawnMonitorResult {
  /** First line the monitor wrote on its sync pipe; undefined when it closed the pipe silently. */
  syncLine: string | undefined;
  /** Exit status of the process we started (conmon's short-lived first half). */
  exitCode: number | null;
  /** What the monitor printed before it detached its stdio (its argument errors, mostly). */
  stderr: string;
}

/** fd 3 in the child: 0-2 are its stdio, and Node numbers extra stdio entries from 3. */
const syncPipeFd = 3;

/**
 * Starts a container monitor that daemonizes itself (conmon forks, the parent exits, the child
 * calls setsid), so the monitor and the container outlive this engine even after SIGKILL. We
 * also start it `detached` so it never shares our process group, and give it only its stdio
 * plus the sync pipe: libuv marks every other engine fd close-on-exec, so no engine fd can
 * leak into the runtime (the class of CVE-2024-21626).
 *
 * Resolves once the monitor reported on the sync pipe (conmon does after `runtime create`)
 * and the first half has exited (after which conmon's pid file exists).
 */
export function spawnMonitor(file: string, args: readonly string[], options: SpawnMonitorOptions): Promise<SpawnMonitorResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(new AppError('canceled', `${file} canceled`));
      return;
    }
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...options.env, [options.syncPipeEnv]: String(syncPipeFd) },
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

    const finish = (error?: AppError): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      // The daemonized monitor keeps these open for its lifetime; we are done listening.
      stderr?.destroy();
      sync?.destroy();
      child.unref();
      if (error !== undefined) reject(error);
      else resolve({ syncLine, exitCode: exitCode ?? null, stderr: Buffer.concat(stderrChunks).toString('utf8') });
    };
    const maybeFinish = (): void => {
      if (syncDone && exitCode !== undefined) finish();
    };
    const onAbort = (): void => finish(new AppError('canceled', `${file} canceled`));
    options.signal?.addEventListener('abort', onAbort, { once: true });

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
    child.on('error', (error) => finish(new AppError('unavailable', `cannot run ${file}: ${error.message}`, { cause: error })));
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal !== null ? 128 : null);
      maybeFinish();
    });
  });
}
