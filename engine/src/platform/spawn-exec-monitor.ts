import { spawn } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { AppError } from '@berth/common';

export interface SpawnExecMonitorOptions {
  cwd: string;
  /** The whole environment of the monitor; the pipe variables are added here. */
  env: Record<string, string>;
  /** Also create conmon's attach pipe (`--exec-attach`): it reports when the attach socket is ready. */
  attachPipe: boolean;
}

/** Reads newline-terminated messages from one of the monitor's pipes. */
export class MonitorPipeReader {
  private buffered = '';
  private ended = false;
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private readonly lines: string[] = [];

  constructor(private readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('utf8');
      for (let newline = this.buffered.indexOf('\n'); newline !== -1; newline = this.buffered.indexOf('\n')) {
        this.deliver(this.buffered.slice(0, newline));
        this.buffered = this.buffered.slice(newline + 1);
      }
    });
    const end = (): void => {
      if (this.ended) return;
      this.ended = true;
      if (this.buffered.trim() !== '') this.deliver(this.buffered);
      this.buffered = '';
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  /** The next message, or undefined once the monitor closed the pipe. */
  next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.stream.destroy();
  }

  private deliver(line: string): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(line);
    else this.lines.push(line);
  }
}

export interface ExecMonitorPipes {
  /** `_OCI_SYNCPIPE`: the process's pid, then its exit code. */
  sync: MonitorPipeReader;
  /** `_OCI_ATTACHPIPE`: one message once the attach socket listens. */
  attach: MonitorPipeReader | undefined;
  /** `_OCI_STARTPIPE`: each write lets the monitor take its next step. */
  signalStart(): void;
  /** Releases every pipe (the monitor keeps running). */
  close(): void;
  /** Exit status of the process we started (conmon's short-lived first half) and what it printed. */
  firstHalf: Promise<{ exitCode: number | null; stderr: string }>;
}

/** fds in the child: 0-2 are its stdio; Node numbers extra stdio entries from 3. */
const syncFd = 3;
const startFd = 4;
const attachFd = 5;

/**
 * Starts conmon for an exec session. Like spawnMonitor it daemonizes itself and gets only its
 * stdio and its pipes (libuv marks every other engine fd close-on-exec), but the pipes stay open
 * here: the start pipe paces conmon (first write: go on; second write with --exec-attach: run the
 * process now that we are connected), and the sync pipe later carries the exit code.
 */
export function spawnExecMonitor(file: string, args: readonly string[], options: SpawnExecMonitorOptions): ExecMonitorPipes {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: {
      ...options.env,
      _OCI_SYNCPIPE: String(syncFd),
      _OCI_STARTPIPE: String(startFd),
      ...(options.attachPipe ? { _OCI_ATTACHPIPE: String(attachFd) } : {}),
    },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', ...(options.attachPipe ? (['pipe'] as const) : [])],
  });
  const stdio = child.stdio as unknown as (Duplex | null | undefined)[];
  const sync = stdio[syncFd];
  const start = stdio[startFd];
  const attach = options.attachPipe ? stdio[attachFd] : undefined;
  if (sync === null || sync === undefined || start === null || start === undefined || attach === null)
    throw new AppError('internal', `cannot create the pipes of ${file}`);
  const stderrChunks: Buffer[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
  child.stderr?.on('error', () => undefined);
  start.on('error', () => undefined);
  const firstHalf = new Promise<{ exitCode: number | null; stderr: string }>((resolve) => {
    child.on('error', (error) => resolve({ exitCode: null, stderr: error.message }));
    child.on('exit', (code, signal) => {
      child.stderr?.destroy();
      resolve({ exitCode: code ?? (signal !== null ? 128 : null), stderr: Buffer.concat(stderrChunks).toString('utf8') });
    });
  });
  child.unref();
  const syncReader = new MonitorPipeReader(sync);
  const attachReader = attach !== undefined ? new MonitorPipeReader(attach) : undefined;
  return {
    sync: syncReader,
    attach: attachReader,
    signalStart: () => {
      if (!start.destroyed) start.write('{"data":0}\n');
    },
    close: () => {
      start.destroy();
      syncReader.close();
      attachReader?.close();
    },
    firstHalf,
  };
}
