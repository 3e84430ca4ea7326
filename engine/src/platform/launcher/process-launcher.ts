import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  CommandOutcome,
  CommandRequest,
  LaunchFailure,
  LaunchReply,
  LaunchRequest,
  MonitorOutcome,
  MonitorRequest,
} from './launch-protocol.js';
import { runCommandHere, startMonitorHere } from './local-spawn.js';

interface PendingLaunch {
  resolve: (reply: LaunchReply) => void;
  reject: (failure: LaunchFailure) => void;
}

/** Distributive, so each request kind keeps its own fields. */
type NewRequest = LaunchRequest extends infer Request ? (Request extends { id: number } ? Omit<Request, 'id'> : never) : never;

/**
 * Starts programs from a small helper process instead of from the engine.
 *
 * Why: Node creates a child with fork(2) on the main thread, and fork's cost grows with the
 * parent's memory. From the engine (80+ MB resident) each spawn stalled the event loop for
 * 1.5-3 ms, and a `docker run` spawns about ten programs (ip, mount, conmon, runc...), so starts
 * queued behind each other and behind the API. The helper (about 45 MB, doing nothing else) pays
 * the fork; the engine only sends a message. Outcomes are the same as spawning here: the helper
 * runs the very same code (local-spawn.ts).
 *
 * The helper is forked on first use, kept while requests are in flight (unreferenced otherwise,
 * so it never keeps the engine alive) and forked again if it dies; requests it had in flight fail.
 * If it cannot be started at all, programs are spawned here.
 */
export class ProcessLauncher {
  private helper: ChildProcess | undefined;
  private helperBroken = false;
  private readonly pending = new Map<number, PendingLaunch>();
  private nextId = 1;

  constructor(private readonly helperPath: string = fileURLToPath(new URL('./launcher-main.js', import.meta.url))) {}

  async runCommand(request: CommandRequest, signal?: AbortSignal): Promise<CommandOutcome> {
    const helper = this.ensureHelper();
    if (helper === undefined) return runCommandHere(request, signal);
    const reply = await this.call(helper, { kind: 'command', request }, signal);
    if (reply.kind !== 'command') throw unexpected(reply);
    return reply.outcome;
  }

  async startMonitor(request: MonitorRequest, signal?: AbortSignal): Promise<MonitorOutcome> {
    const helper = this.ensureHelper();
    if (helper === undefined) return startMonitorHere(request, signal);
    const reply = await this.call(helper, { kind: 'monitor', request }, signal);
    if (reply.kind !== 'monitor') throw unexpected(reply);
    return reply.outcome;
  }

  /** Stops the helper; requests in flight fail. A later request forks a new one. */
  close(): void {
    this.helper?.kill('SIGTERM');
    this.helper = undefined;
  }

  private call(helper: ChildProcess, request: NewRequest, signal?: AbortSignal): Promise<LaunchReply> {
    if (signal?.aborted === true) return Promise.reject({ message: 'canceled', aborted: true } satisfies LaunchFailure);
    const id = this.nextId++;
    return new Promise<LaunchReply>((resolve, reject) => {
      const onAbort = (): void => {
        this.settle(id);
        if (helper.connected) helper.send({ id, kind: 'cancel' } satisfies LaunchRequest);
        reject({ message: 'canceled', aborted: true } satisfies LaunchFailure);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (reply) => {
          signal?.removeEventListener('abort', onAbort);
          if (reply.kind === 'failed') reject(reply.failure);
          else resolve(reply);
        },
        reject: (failure) => {
          signal?.removeEventListener('abort', onAbort);
          reject(failure);
        },
      });
      this.holdHelper(helper, true);
      helper.send({ ...request, id } as LaunchRequest, (error: Error | null) => {
        if (error === null) return;
        this.settle(id)?.reject({ message: `process launcher unavailable: ${error.message}`, aborted: false });
      });
    });
  }

  private settle(id: number): PendingLaunch | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0 && this.helper !== undefined) this.holdHelper(this.helper, false);
    return pending;
  }

  /** Referenced only while it works for us: an idle helper must not keep the engine (or a test) alive. */
  private holdHelper(helper: ChildProcess, hold: boolean): void {
    const channel = helper.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (hold) {
      helper.ref();
      channel?.ref?.();
    } else {
      helper.unref();
      channel?.unref?.();
    }
  }

  private ensureHelper(): ChildProcess | undefined {
    if (this.helper !== undefined && this.helper.connected) return this.helper;
    if (this.helperBroken) return undefined;
    let helper: ChildProcess;
    try {
      helper = fork(this.helperPath, [], {
        // Not the engine's flags (a profiler, the test runner's): the helper is plain Node.
        execArgv: [],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
    } catch {
      this.helperBroken = true;
      return undefined;
    }
    let answered = false;
    helper.on('message', (reply: LaunchReply) => {
      answered = true;
      this.settle(reply.id)?.resolve(reply);
    });
    helper.on('error', () => undefined);
    helper.on('exit', (code, signal) => {
      if (this.helper === helper) this.helper = undefined;
      // A helper that fails before its first answer (its script missing, say) would fail every
      // request the same way: programs are spawned here from then on.
      if (!answered && code !== 0 && signal === null) this.helperBroken = true;
      const failure: LaunchFailure = {
        message: `process launcher exited (${signal ?? `status ${String(code)}`})`,
        aborted: false,
      };
      for (const id of [...this.pending.keys()]) this.settle(id)?.reject(failure);
    });
    this.helper = helper;
    this.holdHelper(helper, false);
    return helper;
  }
}

function unexpected(reply: LaunchReply): LaunchFailure {
  return { message: `process launcher answered ${reply.kind}`, aborted: false };
}

/** The engine's one launcher: everything in platform/ that runs a program goes through it. */
export const processLauncher = new ProcessLauncher();
