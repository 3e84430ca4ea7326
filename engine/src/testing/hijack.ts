import { connect, type Socket } from 'node:net';

/** A raw hijacked connection (attach, exec start) as a test client sees it. */
export interface HijackedConnection {
  status: number;
  head: string;
  socket: Socket;
  /** Everything received after the response head so far. */
  received(): Buffer;
  /** Waits until the received bytes (as latin1 text) match, or fails after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the engine has closed its side. */
  ended: Promise<void>;
}

/**
 * Sends `POST path` with `Connection: Upgrade` (and a JSON body, as exec start does) over the
 * engine's socket and returns the connection once the response head arrived.
 */
export function hijack(socketPath: string, path: string, body?: unknown): Promise<HijackedConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const payload = body === undefined ? '' : JSON.stringify(body);
    let buffer = Buffer.alloc(0);
    let head: string | undefined;
    const listeners = new Set<() => void>();
    let endedResolve: () => void = () => undefined;
    const ended = new Promise<void>((done) => (endedResolve = done));
    socket.on('error', reject);
    socket.on('end', () => endedResolve());
    socket.on('close', () => endedResolve());
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (head === undefined) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        head = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 4);
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? '0');
        resolve({
          status,
          head,
          socket,
          received: () => buffer,
          ended,
          waitFor: (pattern, timeoutMs = 10_000) =>
            new Promise((done, fail) => {
              const check = (): void => {
                const text = buffer.toString('latin1');
                if (!pattern.test(text)) return;
                listeners.delete(check);
                clearTimeout(timer);
                done(text);
              };
              const timer = setTimeout(() => {
                listeners.delete(check);
                fail(
                  new Error(`timed out waiting for ${String(pattern)}; received ${JSON.stringify(buffer.toString('latin1'))}`),
                );
              }, timeoutMs);
              listeners.add(check);
              check();
            }),
        });
      }
      for (const listener of [...listeners]) listener();
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
    );
  });
}
