import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough, type Readable } from 'node:stream';
import { invalidArgument } from '@berth/common';
import { HijackedStream } from './streams/hijacked-stream.js';

/** Headers dockerd adds to every response; clients read Api-Version and Ostype from /_ping. */
export function standardHeaders(apiVersion: string): Record<string, string> {
  return {
    'Api-Version': apiVersion,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: 'Docker/20.10.24 (linux) Berth/0.1.0',
  };
}

const maxJsonBody = 16 * 1024 * 1024;

/**
 * One API request. Handlers parse with it, call a service, and answer with exactly one of:
 * json(), empty(), startStream() or hijack().
 */
export class RequestContext {
  readonly query: URLSearchParams;
  readonly signal: AbortSignal;
  private readonly abortController = new AbortController();
  private answered = false;
  private bodySource: Readable | undefined;

  constructor(
    readonly request: IncomingMessage,
    readonly params: Record<string, string>,
    readonly apiVersion: string,
    private readonly transport:
      { kind: 'response'; response: ServerResponse } | { kind: 'upgrade'; socket: Duplex; head: Buffer },
    url: URL,
  ) {
    this.query = url.searchParams;
    this.signal = this.abortController.signal;
    const abort = (): void => this.abortController.abort();
    if (transport.kind === 'response') {
      // 'close' on the response fires when the client goes away before (or after) we finished.
      transport.response.on('close', abort);
    } else {
      transport.socket.on('close', abort);
    }
  }

  /** The client asked for a connection upgrade (attach, exec start). */
  get isUpgrade(): boolean {
    return this.transport.kind === 'upgrade';
  }

  get isAnswered(): boolean {
    return this.answered;
  }

  header(name: string): string | undefined {
    const value = this.request.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  /** The request body as a stream (chunked bodies included). For upgrades, exactly Content-Length bytes. */
  body(): Readable {
    if (this.bodySource !== undefined) return this.bodySource;
    if (this.transport.kind === 'response') {
      this.bodySource = this.request;
      return this.bodySource;
    }
    // On an upgraded connection Node has stopped parsing: the body (exec start's JSON) is the
    // first Content-Length bytes of `head` and the socket; everything after it is stdin.
    const length = Number(this.header('content-length') ?? '0');
    const { socket, head } = this.transport;
    const body = new PassThrough();
    let taken = Math.min(head.length, length);
    body.write(head.subarray(0, taken));
    const rest = head.subarray(taken);
    if (rest.length > 0) socket.unshift(rest);
    if (taken >= length) {
      body.end();
    } else {
      const onData = (chunk: Buffer): void => {
        const need = length - taken;
        if (chunk.length <= need) {
          taken += chunk.length;
          body.write(chunk);
        } else {
          taken = length;
          body.write(chunk.subarray(0, need));
          socket.pause();
          socket.unshift(chunk.subarray(need));
        }
        if (taken >= length) {
          socket.off('data', onData);
          socket.pause();
          body.end();
        }
      };
      socket.on('data', onData);
      socket.resume();
    }
    this.bodySource = body;
    return body;
  }

  /** Parses a JSON body; an empty body gives undefined; malformed JSON is a 400. */
  async json<T = unknown>(): Promise<T | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.body()) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxJsonBody) throw invalidArgument('request body is too large');
      chunks.push(buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw invalidArgument(`invalid JSON: ${(error as Error).message}`);
    }
  }

  private claim(): void {
    if (this.answered) throw new Error('response already started');
    this.answered = true;
  }

  private response(): ServerResponse {
    if (this.transport.kind !== 'response') throw invalidArgument('this endpoint does not support connection upgrade');
    return this.transport.response;
  }

  send(status: number, value: unknown, extraHeaders: Record<string, string> = {}): void {
    const response = this.response();
    this.claim();
    const body = Buffer.from(`${JSON.stringify(value)}\n`);
    response.writeHead(status, {
      ...standardHeaders(this.apiVersion),
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      ...extraHeaders,
    });
    response.end(this.request.method === 'HEAD' ? undefined : body);
  }

  empty(status: number, headers: Record<string, string> = {}): void {
    const response = this.response();
    this.claim();
    response.writeHead(status, { ...standardHeaders(this.apiVersion), ...headers });
    response.end();
  }

  text(status: number, text: string, headers: Record<string, string> = {}): void {
    const response = this.response();
    this.claim();
    response.writeHead(status, {
      ...standardHeaders(this.apiVersion),
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    });
    response.end(this.request.method === 'HEAD' ? undefined : text);
  }

  /**
   * Starts a chunked streaming response with headers flushed at once (clients block on them).
   * Returns the writable response; end it when done.
   */
  startStream(status: number, contentType: string | undefined, extraHeaders: Record<string, string> = {}): ServerResponse {
    const response = this.response();
    this.claim();
    const headers: Record<string, string> = { ...standardHeaders(this.apiVersion), ...extraHeaders };
    if (contentType !== undefined) headers['Content-Type'] = contentType;
    response.writeHead(status, headers);
    response.flushHeaders();
    return response;
  }

  /**
   * Takes over the connection for a raw bidirectional stream (attach, exec start). With an
   * `Upgrade` header the reply is `101 UPGRADED`; without one, `200 OK` and the connection is
   * hijacked anyway, as dockerd does for old clients and curl.
   */
  hijack(): HijackedStream {
    this.claim();
    if (this.transport.kind === 'upgrade') {
      const { socket } = this.transport;
      // Consume the body (if not yet) so that what remains on the socket is stdin.
      this.body();
      socket.write(
        'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n' +
          Object.entries(standardHeaders(this.apiVersion))
            .map(([key, value]) => `${key}: ${value}\r\n`)
            .join('') +
          '\r\n',
      );
      return new HijackedStream(socket, { readsStdin: true });
    }
    const response = this.transport.response;
    const socket = response.socket;
    if (socket === null) throw new Error('connection already closed');
    // Detach the socket from the HTTP machinery: we write the status line ourselves.
    response.detachSocket(socket);
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n`);
    // Without an upgrade the HTTP parser still owns the socket's input, so no stdin here.
    return new HijackedStream(socket, { readsStdin: false });
  }

  /** Used by the server to report a failure before anything was sent. */
  fail(status: number, message: string): void {
    if (this.answered) return;
    if (this.transport.kind === 'upgrade') {
      this.answered = true;
      const body = `${JSON.stringify({ message })}\n`;
      this.transport.socket.end(
        `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          Object.entries(standardHeaders(this.apiVersion))
            .map(([key, value]) => `${key}: ${value}\r\n`)
            .join('') +
          `Connection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.send(status, { message });
  }
}
