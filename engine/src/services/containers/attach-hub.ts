import type { Logger } from '../../lib/logger.js';
import type { OutputStream, TaskAttachment, TaskRuntime } from '../../core/runtime/task-runtime.js';

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Close the container's stdin when this client closes its input (`StdinOnce`). */
  closeStdinOnEnd: boolean;
}

/** The client side of an attach, independent of the transport (hijacked HTTP, app WebSocket). */
export interface AttachClient {
  output(stream: OutputStream, data: Buffer): void;
  /** No more output: the task's stdio has closed. */
  end(): void;
  readStdin(onData: (chunk: Buffer) => void, onEnd: () => void): void;
  ignoreStdin(): void;
  onClose(listener: () => void): void;
}

interface PendingAttach {
  client: AttachClient;
  options: AttachOptions;
  stdinChunks: Buffer[];
  stdinEnded: boolean;
  clientClosed: boolean;
  /** Replaced once connected: where stdin goes from then on. */
  forward: ((chunk: Buffer) => void) | undefined;
  forwardEnd: (() => void) | undefined;
}

/**
 * Connects attach clients to a task's stdio. Docker clients attach *before* start (so no output is
 * lost) and may send all of stdin, and its end, before the task exists: such clients wait here,
 * with their stdin buffered, until start() connects them.
 */
export class AttachHub {
  private readonly pending = new Map<string, Set<PendingAttach>>();

  constructor(
    private readonly runtime: TaskRuntime,
    private readonly logger: Logger,
  ) {}

  /** Attaches a client now (task running) or when the container next starts. */
  async attach(containerId: string, isRunning: boolean, client: AttachClient, options: AttachOptions): Promise<void> {
    const entry: PendingAttach = {
      client,
      options,
      stdinChunks: [],
      stdinEnded: false,
      clientClosed: false,
      forward: undefined,
      forwardEnd: undefined,
    };
    if (options.stdin) {
      client.readStdin(
        (chunk) => (entry.forward !== undefined ? entry.forward(chunk) : entry.stdinChunks.push(chunk)),
        () => {
          entry.stdinEnded = true;
          entry.forwardEnd?.();
        },
      );
    } else {
      client.ignoreStdin();
    }
    client.onClose(() => {
      entry.clientClosed = true;
      this.pending.get(containerId)?.delete(entry);
    });
    if (isRunning) {
      await this.connect(containerId, entry);
      return;
    }
    let set = this.pending.get(containerId);
    if (set === undefined) {
      set = new Set();
      this.pending.set(containerId, set);
    }
    set.add(entry);
  }

  /** Called by start between task creation and task start: connects every waiting client. */
  async connectPending(containerId: string): Promise<void> {
    const set = this.pending.get(containerId);
    if (set === undefined) return;
    this.pending.delete(containerId);
    await Promise.all([...set].filter((entry) => !entry.clientClosed).map((entry) => this.connect(containerId, entry)));
  }

  /** Ends waiting clients of a container that is gone (removed before it ever started). */
  dropPending(containerId: string): void {
    const set = this.pending.get(containerId);
    this.pending.delete(containerId);
    for (const entry of set ?? []) entry.client.end();
  }

  private async connect(containerId: string, entry: PendingAttach): Promise<void> {
    let attachment: TaskAttachment;
    try {
      attachment = await this.runtime.attach(containerId);
    } catch (error) {
      this.logger.warn({ err: error, containerId }, 'attach to task failed');
      entry.client.end();
      return;
    }
    const { client, options } = entry;
    attachment.onOutput((stream, data) => {
      if ((stream === 'stdout' && options.stdout) || (stream === 'stderr' && options.stderr)) client.output(stream, data);
    });
    attachment.onClose(() => client.end());
    client.onClose(() => attachment.close());
    if (!options.stdin) return;
    for (const chunk of entry.stdinChunks.splice(0)) attachment.writeStdin(chunk);
    const endStdin = (): void => {
      if (options.closeStdinOnEnd) attachment.closeStdin();
    };
    if (entry.stdinEnded) {
      endStdin();
      return;
    }
    entry.forward = (chunk) => attachment.writeStdin(chunk);
    entry.forwardEnd = endStdin;
  }
}
