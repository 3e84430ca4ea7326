import { connect, type Socket } from 'node:net';
import { AppError } from '@berth/common';
import { DOCKER_API_VERSION, kindForStatus } from './docker-client.js';

export interface HijackedStream {
  /** The raw connection after the `101`: engine output arrives on it, stdin goes into it. */
  readonly socket: Socket;
  /** Bytes that arrived together with the response headers (the first output). */
  readonly head: Buffer;
}

const MAX_HEADER_BYTES = 64 * 1024;

/**
 * `POST path` with `Upgrade: tcp` and a JSON body, the way the docker CLI starts `exec` and `attach`:
 * undici cannot send a body on an upgrade, so this writes the request itself and reads the response
 * head by hand. Resolves once the engine answered `101` (or `200`, which old engines send before
 * hijacking anyway); any other status becomes an AppError with the engine's message.
 */
export function hijack(socketPath: string, path: string, body: unknown, signal?: AbortSignal): Promise<HijackedStream> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const socket = connect(socketPath);
    let buffered = Buffer.alloc(0);
    const fail = (error: unknown): void => {
      cleanup();
      socket.destroy();
      reject(error instanceof AppError ? error : new AppError('unavailable', `engine connection failed: ${String(error)}`));
    };
    const onAbort = (): void => fail(new AppError('canceled', 'request canceled'));
    const onError = (error: Error): void => fail(error.message);
    const onClose = (): void => fail(new AppError('unavailable', 'the engine closed the connection before answering'));
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEADER_BYTES) fail(new AppError('internal', 'engine response headers too large'));
        return;
      }
      const headText = buffered.subarray(0, end).toString('latin1');
      const rest = buffered.subarray(end + 4);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0);
      if (status === 101 || status === 200) {
        cleanup();
        resolve({ socket, head: rest });
        return;
      }
      // An error answer: read its body to the end for the engine's message.
      socket.off('data', onData);
      const parts: Buffer[] = [rest];
      socket.on('data', (more: Buffer) => parts.push(more));
      socket.once('end', () => fail(new AppError(kindForStatus(status), errorText(Buffer.concat(parts), status))));
      socket.off('close', onClose);
    };
    const cleanup = (): void => {
      signal?.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once('connect', () => {
      socket.write(
        `POST /v${DOCKER_API_VERSION}${path} HTTP/1.1\r\n` +
          'Host: api.moby.localhost\r\n' +
          'User-Agent: Berth-App\r\n' +
          'Connection: Upgrade\r\n' +
          'Upgrade: tcp\r\n' +
          'Content-Type: application/json\r\n' +
          `Content-Length: ${payload.length}\r\n\r\n`,
      );
      socket.write(payload);
    });
  });
}

/** The engine's message out of an error body (JSON `{message}`, possibly chunked, or text). */
function errorText(raw: Buffer, status: number): string {
  const text = raw.toString('utf8');
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (json !== undefined) {
    try {
      const parsed = JSON.parse(json) as { message?: unknown };
      if (typeof parsed.message === 'string' && parsed.message !== '') return parsed.message;
    } catch {
      // not JSON
    }
  }
  const trimmed = text.trim();
  return trimmed === '' ? `engine returned HTTP ${status}` : trimmed.slice(0, 2000);
}
