import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { SeqpacketSocket } from 'node-unix-socket';
import { AppError } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import type { OutputStream, TaskAttachment } from '../../core/runtime/task-runtime.js';

/** conmon's stdpipe_t: the first byte of every packet it sends names the stream. */
const pipeStdout = 2;
const pipeStderr = 3;

/**
 * conmon reads at most CONN_SOCK_BUF_SIZE - 1 (32767) bytes per packet and a SOCK_SEQPACKET
 * read truncates a longer packet, so stdin goes out in smaller pieces.
 */
const maxStdinPacket = 16 * 1024;

/**
 * Connects to conmon's attach socket (`<bundle>/attach`, SOCK_SEQPACKET). The path goes through
 * an fd of the bundle directory (`/proc/self/fd/N/attach`) so a deep bundle path never hits
 * the 108-byte sun_path limit.
 */
export async function connectAttachSocket(bundleDir: string, logger: Logger): Promise<TaskAttachment> {
  let directory;
  try {
    directory = await open(bundleDir, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (error) {
    throw new AppError('not-found', `task bundle ${bundleDir} not found`, { cause: error });
  }
  try {
    const socket = new SeqpacketSocket();
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(attachError(error));
      socket.once('error', onError);
      try {
        socket.connect(join(`/proc/self/fd/${directory.fd}`, 'attach'), () => {
          socket.off('error', onError);
          resolve();
        });
      } catch (error) {
        socket.off('error', onError);
        reject(attachError(error));
      }
    });
    return new ConmonAttachment(socket, logger);
  } finally {
    await directory.close();
  }
}

function attachError(error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  // No socket (conmon gone) or nobody listening: the task has exited.
  return new AppError('conflict', `cannot attach: the task is not running (${message})`, { cause: error });
}

type OutputListener = (stream: OutputStream, data: Buffer) => void;

class ConmonAttachment implements TaskAttachment {
  private readonly outputListeners: OutputListener[] = [];
  private readonly closeListeners: (() => void)[] = [];
  /** Output that arrived before anyone listened; attach() resolves before callers subscribe. */
  private pending: { stream: OutputStream; data: Buffer }[] = [];
  private closed = false;
  private stdinClosed = false;

  constructor(
    private readonly socket: SeqpacketSocket,
    private readonly logger: Logger,
  ) {
    socket.on('data', (packet: Buffer) => this.onPacket(packet));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error: Error) => {
      this.logger.debug({ err: error }, 'attach socket error');
      this.onEnd();
    });
    socket.on('close', () => this.onEnd());
  }

  onOutput(listener: OutputListener): void {
    this.outputListeners.push(listener);
    if (this.outputListeners.length === 1 && this.pending.length > 0) {
      const pending = this.pending;
      this.pending = [];
      for (const item of pending) listener(item.stream, item.data);
    }
  }

  onClose(listener: () => void): void {
    if (this.closed) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  writeStdin(data: Buffer): void {
    if (this.closed || this.stdinClosed) return;
    for (let offset = 0; offset < data.length; offset += maxStdinPacket) {
      this.socket.write(data.subarray(offset, Math.min(offset + maxStdinPacket, data.length)));
    }
  }

  /** shutdown(SHUT_WR): conmon sees EOF and closes the task's stdin unless told to leave it open. */
  closeStdin(): void {
    if (this.closed || this.stdinClosed) return;
    this.stdinClosed = true;
    this.socket.end();
  }

  close(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.onEnd();
  }

  private onPacket(packet: Buffer): void {
    if (packet.length < 2) return;
    const kind = packet[0];
    const stream: OutputStream | undefined = kind === pipeStdout ? 'stdout' : kind === pipeStderr ? 'stderr' : undefined;
    if (stream === undefined) return;
    // Copy: the native layer may reuse its receive buffer.
    const data = Buffer.from(packet.subarray(1));
    if (this.outputListeners.length === 0) this.pending.push({ stream, data });
    else for (const listener of this.outputListeners) listener(stream, data);
  }

  private onEnd(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const listeners = this.closeListeners.splice(0);
    for (const listener of listeners) listener();
  }
}
