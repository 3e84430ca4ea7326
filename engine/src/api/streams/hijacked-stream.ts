import type { Duplex } from 'node:stream';

/**
 * A connection taken over for raw stdio (attach, exec start). Output goes to the client as is (the
 * caller frames it when the stream is not a TTY); what the client sends is stdin. A half-close from
 * the client (FIN) ends stdin only: output keeps flowing until we end().
 */
export class HijackedStream {
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly socket: Duplex,
    private readonly options: { readsStdin: boolean },
  ) {
    socket.on('error', () => this.markClosed());
    socket.on('close', () => this.markClosed());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Delivers client input; `onEnd` is called at the client's half-close (or disconnect). */
  readStdin(onData: (chunk: Buffer) => void, onEnd: () => void): void {
    if (!this.options.readsStdin) {
      onEnd();
      return;
    }
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      onEnd();
    };
    this.socket.on('data', (chunk: Buffer) => onData(chunk));
    this.socket.on('end', end);
    this.socket.on('close', end);
    this.socket.resume();
  }

  /** Discards client input (no stdin requested) while still noticing the half-close. */
  ignoreStdin(): void {
    this.socket.on('data', () => undefined);
    this.socket.resume();
  }

  write(data: Buffer): boolean {
    if (this.closed) return false;
    return this.socket.write(data);
  }

  /** Waits until the socket can take more output (back-pressure). */
  async drain(): Promise<void> {
    if (this.closed || !this.socket.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** Ends the output (FIN after flushing) and closes the connection. */
  end(): void {
    if (this.closed) return;
    this.socket.end(() => this.socket.destroy());
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
