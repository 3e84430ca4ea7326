import type { Readable } from 'node:stream';
import { Client, Pool, errors as undiciErrors } from 'undici';
import { AppError, type ErrorKind } from '@berth/common';
import type { DockerHost } from './docker-host.js';

export const DOCKER_API_VERSION = '1.41';

export type QueryValue = string | number | boolean | undefined;

export interface DockerRequest {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'HEAD';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** Extra request headers (`X-Registry-Auth`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Milliseconds without response headers before giving up (default 30 s; streams disable the body timeout). */
  readonly headersTimeout?: number;
}

export interface DockerStreamResponse {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable;
}

export function kindForStatus(status: number): ErrorKind {
  switch (status) {
    case 304:
      return 'not-modified';
    case 400:
      return 'invalid-argument';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 501:
      return 'not-implemented';
    case 503:
      return 'unavailable';
    default:
      return status >= 400 && status < 500 ? 'invalid-argument' : 'internal';
  }
}

function buildPath(path: string, query: Readonly<Record<string, QueryValue>> | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) search.set(key, String(value));
  }
  const qs = search.toString();
  return `/v${DOCKER_API_VERSION}${path}${qs === '' ? '' : `?${qs}`}`;
}

/**
 * A minimal Docker Engine API client over a UNIX socket (undici). Errors become AppError with the
 * engine's own message; a missing or refusing socket becomes `unavailable`.
 */
export class DockerClient {
  readonly host: DockerHost;
  /** Short request/response calls share a small pool of keep-alive connections. */
  readonly #pool: Pool;
  /** Long-lived streams (events, logs, stats, pull) each get their own connection. */
  readonly #streams = new Set<Client>();

  constructor(host: DockerHost) {
    this.host = host;
    this.#pool = new Pool('http://localhost', {
      socketPath: host.socketPath,
      connections: 6,
      keepAliveTimeout: 10_000,
      bodyTimeout: 0,
    });
  }

  /** A request whose JSON (or empty) response body is returned. */
  async json<T = unknown>(request: DockerRequest): Promise<T> {
    const { body } = await this.#send(this.#pool, request);
    const text = await readText(body);
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new AppError('internal', `engine sent invalid JSON for ${request.method} ${request.path}`, { cause: error });
    }
  }

  /** `GET /_ping`: resolves when the engine answers (its body is plain text, not JSON). */
  async ping(signal?: AbortSignal): Promise<void> {
    const { body } = await this.#send(this.#pool, {
      method: 'GET',
      path: '/_ping',
      headersTimeout: 5000,
      ...(signal !== undefined ? { signal } : {}),
    });
    await readText(body);
  }

  /** A request whose successful body is handed back unread (logs, stats, pull, events). */
  async stream(request: DockerRequest): Promise<DockerStreamResponse> {
    const client = new Client('http://localhost', { socketPath: this.host.socketPath, bodyTimeout: 0, pipelining: 1 });
    this.#streams.add(client);
    const release = (): void => {
      this.#streams.delete(client);
      void client.destroy().catch(() => undefined);
    };
    try {
      const response = await this.#send(client, request);
      response.body.once('close', release);
      response.body.once('end', release);
      return response;
    } catch (error) {
      release();
      throw error;
    }
  }

  async #send(dispatcher: Pool | Client, request: DockerRequest): Promise<DockerStreamResponse> {
    let response;
    try {
      response = await dispatcher.request({
        method: request.method,
        path: buildPath(request.path, request.query),
        headers: { ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal: request.signal ?? null,
        headersTimeout: request.headersTimeout ?? 30_000,
        bodyTimeout: 0,
      });
    } catch (error) {
      throw this.#connectionError(error);
    }
    if (response.statusCode >= 300) {
      const text = await readText(response.body).catch(() => '');
      throw new AppError(kindForStatus(response.statusCode), engineMessage(text, response.statusCode));
    }
    return { headers: response.headers, body: response.body };
  }

  async close(): Promise<void> {
    for (const client of this.#streams) void client.destroy().catch(() => undefined);
    this.#streams.clear();
    await this.#pool.close().catch(() => undefined);
  }

  #connectionError(error: unknown): AppError {
    if (error instanceof AppError) return error;
    if (error instanceof Error && error.name === 'AbortError') {
      return new AppError('canceled', 'request canceled', { cause: error });
    }
    if (error instanceof undiciErrors.RequestAbortedError) {
      return new AppError('canceled', 'request canceled', { cause: error });
    }
    if (error instanceof undiciErrors.HeadersTimeoutError) {
      return new AppError('unavailable', `the engine at ${this.host.display} did not answer in time`, { cause: error });
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EACCES' || code === 'UND_ERR_SOCKET') {
      const hint = code === 'EACCES' ? 'permission denied' : 'is the engine running?';
      return new AppError('unavailable', `Cannot connect to the engine at ${this.host.display} (${hint})`, { cause: error });
    }
    return new AppError('unavailable', `engine request failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

function engineMessage(text: string, status: number): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message !== '') return parsed.message;
  } catch {
    // not JSON
  }
  const trimmed = text.trim();
  return trimmed === '' ? `engine returned HTTP ${status}` : trimmed.slice(0, 2000);
}

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
