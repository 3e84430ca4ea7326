import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { toAppError } from '@berth/common';
import type { Logger } from '../lib/logger.js';
import { maxApiVersion, splitVersionedPath } from './api-version.js';
import { errorResponse } from './http-errors.js';
import { RequestContext } from './request-context.js';
import type { Router } from './router.js';

/** Serves the Docker Engine API over HTTP/1.1 on a UNIX socket (keep-alive, upgrades for attach/exec). */
export class ApiServer {
  private readonly server: Server;
  private readonly connections = new Set<Duplex>();

  constructor(
    private readonly router: Router,
    private readonly logger: Logger,
  ) {
    this.server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
      void this.dispatch(request, { kind: 'response', response });
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.dispatch(request, { kind: 'upgrade', socket, head });
    });
    this.server.on('connection', (socket: Duplex) => {
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
    });
    this.server.on('clientError', (error, socket) => {
      this.logger.debug({ err: error }, 'client error');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
  }

  /**
   * Binds the socket with mode 0660 from the first instant: the umask is tightened around the
   * bind so there is no window where another user could connect.
   */
  async listen(socketPath: string): Promise<void> {
    const directory = dirname(socketPath);
    mkdirSync(directory, { recursive: true, mode: 0o750 });
    if ((statSync(directory).mode & 0o002) !== 0) chmodSync(directory, 0o750);
    rmSync(socketPath, { force: true });
    const previousUmask = process.umask(0o117);
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(socketPath, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(previousUmask);
    }
    chmodSync(socketPath, 0o660);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.connections) socket.destroy();
    await closed;
  }

  private async dispatch(
    request: IncomingMessage,
    transport: { kind: 'response'; response: ServerResponse } | { kind: 'upgrade'; socket: Duplex; head: Buffer },
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://engine');
    const method = request.method ?? 'GET';
    let context: RequestContext | undefined;
    try {
      const { version, path } = splitVersionedPath(url.pathname);
      const match = this.router.match(method, path);
      context = new RequestContext(
        request,
        match !== undefined && match !== 'method-not-allowed' ? match.params : {},
        version,
        transport,
        url,
      );
      if (match === undefined || match === 'method-not-allowed') {
        // dockerd answers unknown routes (and wrong methods) with 404 "page not found".
        context.fail(404, 'page not found');
        return;
      }
      this.logger.debug({ method, path: url.pathname }, 'api request');
      await match.route.handler(context);
    } catch (error) {
      const { status, body } = errorResponse(error);
      const appError = toAppError(error);
      if (status >= 500) this.logger.error({ err: appError.cause ?? appError, method, path: url.pathname }, 'request failed');
      else this.logger.debug({ method, path: url.pathname, status, message: body.message }, 'request refused');
      if (context === undefined) context = new RequestContext(request, {}, maxApiVersion, transport, url);
      if (!context.isAnswered) context.fail(status, body.message);
      else if (transport.kind === 'response' && !transport.response.writableEnded) transport.response.destroy();
    }
  }
}
