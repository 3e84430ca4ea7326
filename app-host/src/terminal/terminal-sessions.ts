import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '@berth/common';
import type { TerminalOutput, TerminalSession, TerminalShell } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import { hijack } from '../docker/hijack.js';
import { num, obj, str } from '../handlers/json.js';
import { AsyncQueue } from './async-queue.js';
import { OutputRing } from './output-ring.js';

/** Picks the best shell the image has, the way Podman Desktop's terminal does. */
const AUTO_SHELL = [
  '/bin/sh',
  '-c',
  'if command -v bash >/dev/null 2>&1; then exec bash; elif command -v ash >/dev/null 2>&1; then exec ash; else exec sh; fi',
];

export function shellCommand(shell: TerminalShell): string[] {
  return shell === 'auto' ? AUTO_SHELL : [shell];
}

export interface TerminalSessionsOptions {
  /** Characters of recent output kept for a reattach (default 256 Ki). */
  readonly replayChars?: number;
  /** A running session nobody is attached to is ended after this long (default 15 min). */
  readonly detachedTimeoutMs?: number;
  /** An ended session stays listed this long so a reloaded UI sees how it ended (default 2 min). */
  readonly endedRetentionMs?: number;
  readonly maxSessions?: number;
}

interface OpenInput {
  readonly containerId: string;
  readonly shell: TerminalShell;
  readonly user: string;
  readonly cols: number;
  readonly rows: number;
}

class Session {
  readonly listeners = new Set<AsyncQueue<TerminalOutput>>();
  readonly decoder = new StringDecoder('utf8');
  running = true;
  exitCode: number | null = null;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly execId: string,
    readonly containerId: string,
    readonly shell: TerminalShell,
    readonly user: string,
    readonly createdAt: string,
    readonly socket: Socket,
    readonly ring: OutputRing,
  ) {}

  describe(): TerminalSession {
    return {
      id: this.id,
      containerId: this.containerId,
      shell: this.shell,
      user: this.user,
      createdAt: this.createdAt,
      exitCode: this.exitCode,
      running: this.running,
    };
  }

  emit(output: TerminalOutput): void {
    for (const listener of this.listeners) listener.push(output);
  }
}

/**
 * Terminal sessions: each is an engine exec (TTY) whose hijacked connection the host holds, so the
 * shell outlives the renderer. Output goes to every attached renderer and into a ring buffer that a
 * reattaching renderer gets first. The engine's exec id never leaves the host.
 */
export class TerminalSessions {
  readonly #docker: DockerClient;
  readonly #sessions = new Map<string, Session>();
  readonly #replayChars: number;
  readonly #detachedTimeoutMs: number;
  readonly #endedRetentionMs: number;
  readonly #maxSessions: number;

  constructor(docker: DockerClient, options: TerminalSessionsOptions = {}) {
    this.#docker = docker;
    this.#replayChars = options.replayChars ?? 256 * 1024;
    this.#detachedTimeoutMs = options.detachedTimeoutMs ?? 15 * 60_000;
    this.#endedRetentionMs = options.endedRetentionMs ?? 2 * 60_000;
    this.#maxSessions = options.maxSessions ?? 32;
  }

  async open(input: OpenInput, signal: AbortSignal): Promise<TerminalSession> {
    const running = [...this.#sessions.values()].filter((s) => s.running).length;
    if (running >= this.#maxSessions) {
      throw new AppError('unavailable', `too many open terminals (${this.#maxSessions}); close one first`);
    }
    const created = obj(
      await this.#docker.json({
        method: 'POST',
        path: `/containers/${encodeURIComponent(input.containerId)}/exec`,
        body: {
          User: input.user,
          Privileged: false,
          Tty: true,
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          DetachKeys: '',
          Env: ['TERM=xterm-256color', 'COLORTERM=truecolor'],
          Cmd: shellCommand(input.shell),
          // Honoured by engines that size the pty at creation (API 1.42+); resize below covers the rest.
          ConsoleSize: [input.rows, input.cols],
        },
        signal,
      }),
    );
    const execId = str(created['Id']);
    if (!/^[a-f0-9]{64}$/.test(execId)) throw new AppError('internal', 'the engine returned no exec id');
    const { socket, head } = await hijack(
      this.#docker.host.socketPath,
      `/exec/${execId}/start`,
      { Detach: false, Tty: true },
      signal,
    );
    const session = new Session(
      randomBytes(16).toString('hex'),
      execId,
      input.containerId,
      input.shell,
      input.user,
      new Date().toISOString(),
      socket,
      new OutputRing(this.#replayChars),
    );
    this.#sessions.set(session.id, session);
    socket.setNoDelay(true);
    const onOutput = (bytes: Buffer): void => {
      const text = session.decoder.write(bytes);
      if (text === '') return;
      session.ring.push(text);
      session.emit({ type: 'output', data: text, replay: false });
    };
    if (head.length > 0) onOutput(head);
    socket.on('data', onOutput);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => void this.#ended(session));
    this.#armDetachedTimer(session);
    // The CLI sizes the pty right after start; do the same (a failure here is not fatal).
    await this.#resizeExec(execId, input.cols, input.rows).catch(() => undefined);
    return session.describe();
  }

  list(containerId: string): TerminalSession[] {
    const matches = (session: Session): boolean =>
      session.containerId === containerId || (containerId.length >= 12 && session.containerId.startsWith(containerId));
    return [...this.#sessions.values()].filter(matches).map((session) => session.describe());
  }

  /** Replays recent output, then streams live output until the process ends or the caller leaves. */
  attach(id: string, signal: AbortSignal): AsyncIterable<TerminalOutput> {
    const session = this.#get(id);
    const queue = new AsyncQueue<TerminalOutput>();
    const replay = session.ring.toString();
    if (replay !== '') queue.push({ type: 'output', data: replay, replay: true });
    if (!session.running) {
      queue.push({ type: 'exit', exitCode: session.exitCode });
      queue.end();
      return queue;
    }
    session.listeners.add(queue);
    this.#clearTimer(session);
    const detach = (): void => {
      session.listeners.delete(queue);
      queue.end();
      if (session.running) this.#armDetachedTimer(session);
    };
    if (signal.aborted) detach();
    else signal.addEventListener('abort', detach, { once: true });
    return queue;
  }

  write(id: string, data: string): void {
    const session = this.#get(id);
    if (!session.running) throw new AppError('conflict', 'the terminal session has ended');
    session.socket.write(data);
  }

  async resize(id: string, cols: number, rows: number, signal?: AbortSignal): Promise<void> {
    const session = this.#get(id);
    if (!session.running) return;
    await this.#resizeExec(session.execId, cols, rows, signal);
  }

  close(id: string): void {
    const session = this.#get(id);
    this.#hangUp(session);
  }

  closeAll(): void {
    for (const session of this.#sessions.values()) {
      this.#clearTimer(session);
      session.socket.destroy();
    }
    this.#sessions.clear();
  }

  #get(id: string): Session {
    const session = this.#sessions.get(id);
    if (session === undefined) throw new AppError('not-found', 'no such terminal session (it ended or the host restarted)');
    return session;
  }

  /**
   * Ends a session: the shell's terminal hangs up (Ctrl-D for a shell at its prompt, then the
   * connection closes, which closes the exec's stdin).
   */
  #hangUp(session: Session): void {
    if (!session.running) return;
    session.socket.end('\x04');
    setTimeout(() => session.socket.destroy(), 2000).unref();
  }

  async #resizeExec(execId: string, cols: number, rows: number, signal?: AbortSignal): Promise<void> {
    await this.#docker.json({
      method: 'POST',
      path: `/exec/${execId}/resize`,
      query: { h: rows, w: cols },
      ...(signal !== undefined ? { signal } : {}),
    });
  }

  async #ended(session: Session): Promise<void> {
    if (!session.running) return;
    const rest = session.decoder.end();
    if (rest !== '') {
      session.ring.push(rest);
      session.emit({ type: 'output', data: rest, replay: false });
    }
    session.running = false;
    try {
      const inspect = obj(await this.#docker.json({ method: 'GET', path: `/exec/${session.execId}/json` }));
      session.exitCode = typeof inspect['ExitCode'] === 'number' ? num(inspect['ExitCode']) : null;
    } catch {
      session.exitCode = null; // the container (and its execs) may be gone already
    }
    session.emit({ type: 'exit', exitCode: session.exitCode });
    for (const listener of session.listeners) listener.end();
    session.listeners.clear();
    this.#clearTimer(session);
    session.timer = setTimeout(() => this.#sessions.delete(session.id), this.#endedRetentionMs);
    session.timer.unref();
  }

  #armDetachedTimer(session: Session): void {
    this.#clearTimer(session);
    if (session.listeners.size > 0) return;
    session.timer = setTimeout(() => this.#hangUp(session), this.#detachedTimeoutMs);
    session.timer.unref();
  }

  #clearTimer(session: Session): void {
    if (session.timer !== undefined) clearTimeout(session.timer);
    session.timer = undefined;
  }
}
