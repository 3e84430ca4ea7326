import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError, type ErrorKind } from '@berth/common';
import { ClientStreamMessage, serializeError, type ContractSpec, type HostStreamMessage } from '@berth/common/contract';
import type { ContractDispatcher } from '../contract-dispatcher.js';
import { checkRequest, createSecurityPolicy, securityHeaders, type Decision, type SecurityPolicy } from './security.js';

export function statusForKind(kind: ErrorKind): number {
  switch (kind) {
    case 'invalid-argument':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'not-modified':
      return 304;
    case 'not-implemented':
      return 501;
    case 'unavailable':
      return 503;
    case 'canceled':
      return 499;
    case 'internal':
      return 500;
  }
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SOCKET_BUFFER = 16 * 1024 * 1024;
const MAX_STREAMS_PER_SOCKET = 64;

export interface WebServerOptions<C extends ContractSpec> {
  readonly dispatcher: ContractDispatcher<C>;
  /** Built renderer (index.html + assets/). */
  readonly staticDir: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Extra Host names to accept (besides the listen address and `localhost` on loopback). */
  readonly extraHostNames?: readonly string[];
  readonly log?: (message: string) => void;
}

export interface RunningWebServer {
  readonly url: string;
  /** URL with `?token=` for the first visit. */
  readonly loginUrl: string;
  readonly port: number;
  readonly policy: SecurityPolicy;
  close(): Promise<void>;
}

function deny(res: ServerResponse, decision: Extract<Decision, { action: 'deny' }>, headers: Record<string, string>): void {
  res.writeHead(decision.status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' });
  const kind: ErrorKind = decision.status === 401 ? 'unauthorized' : decision.status === 403 ? 'forbidden' : 'invalid-argument';
  res.end(JSON.stringify({ ok: false, error: { kind, message: decision.reason } }));
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AppError('invalid-argument', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('invalid-argument', 'request body is not valid JSON');
  }
}

/**
 * The web mode: serves the built renderer and the contract (POST /api/<service>.<member>, and one
 * multiplexed WebSocket at /api/ws for events and streams). Every request and upgrade passes
 * `checkRequest` (token, Host, Origin) before anything else.
 */
export async function startWebServer<C extends ContractSpec>(options: WebServerOptions<C>): Promise<RunningWebServer> {
  const { dispatcher } = options;
  const log = options.log ?? (() => undefined);
  const staticRoot = resolve(options.staticDir);
  let policy: SecurityPolicy = createSecurityPolicy(options.token, options.host, options.port, options.extraHostNames);
  let headers = securityHeaders(policy);

  const serveStatic = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    const wantsAsset = extname(decoded) !== '';
    let file = resolve(join(staticRoot, decoded === '/' ? 'index.html' : decoded));
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) {
      res.writeHead(404, headers).end();
      return;
    }
    let info = await stat(file).catch(() => undefined);
    if ((info === undefined || info.isDirectory()) && !wantsAsset) {
      file = join(staticRoot, 'index.html'); // client-side routes
      info = await stat(file).catch(() => undefined);
    }
    if (info === undefined || !info.isFile()) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const isHtml = file.endsWith('.html');
    res.writeHead(200, {
      ...headers,
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      'cache-control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let result;
    try {
      const input = await readJsonBody(req);
      result = await dispatcher.invoke(channel, input, abort.signal);
    } catch (error) {
      result = { ok: false as const, error: serializeError(error) };
    }
    const status = result.ok ? 200 : statusForKind(result.error.kind);
    const body = JSON.stringify(result.ok ? { ok: true, value: result.value ?? null } : result);
    res.writeHead(status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body);
  };

  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0] ?? '/';
    const isApi = pathname.startsWith('/api/');
    const decision = checkRequest({ method: req.method ?? 'GET', url, headers: req.headers }, isApi ? 'api' : 'document', policy);
    if (decision.action === 'deny') {
      log(`refused ${req.method ?? ''} ${pathname}: ${decision.reason}`);
      if (!isApi && decision.status === 401) {
        res.writeHead(401, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('Berth: open the URL printed by the web command (it carries a one-time token).\n');
        return;
      }
      deny(res, decision, headers);
      return;
    }
    if (decision.action === 'exchange') {
      res.writeHead(303, {
        ...headers,
        'set-cookie': decision.setCookie,
        location: decision.location,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }
    if (isApi) {
      const channel = pathname.slice('/api/'.length);
      void handleApi(req, res, channel);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    void serveStatic(req, res, pathname).catch((error: unknown) => {
      log(`static error: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, headers);
      res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    const decision = checkRequest({ method: req.method ?? 'GET', url, headers: req.headers }, 'upgrade', policy);
    if (decision.action !== 'allow' || url.split('?')[0] !== '/api/ws') {
      const status = decision.action === 'deny' ? decision.status : 404;
      log(`refused WebSocket upgrade: ${decision.action === 'deny' ? decision.reason : 'bad path'}`);
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket): void => {
    const active = new Map<number, () => void>();
    const send = (message: HostStreamMessage): Promise<void> =>
      new Promise((resolveSend) => {
        if (ws.readyState !== ws.OPEN) return resolveSend();
        if (ws.bufferedAmount > MAX_SOCKET_BUFFER) {
          ws.close(1008, 'client too slow');
          return resolveSend();
        }
        ws.send(JSON.stringify(message), () => resolveSend());
      });

    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      let parsed;
      try {
        parsed = ClientStreamMessage.safeParse(JSON.parse(String(data)));
      } catch {
        return ws.close(1007, 'invalid JSON');
      }
      if (!parsed.success) return ws.close(1007, 'invalid message');
      const message = parsed.data;
      if (message.type === 'cancel') {
        active.get(message.id)?.();
        active.delete(message.id);
        return;
      }
      if (active.has(message.id))
        return void send({ type: 'error', id: message.id, error: { kind: 'conflict', message: 'id in use' } });
      if (active.size >= MAX_STREAMS_PER_SOCKET) {
        return void send({ type: 'error', id: message.id, error: { kind: 'unavailable', message: 'too many open streams' } });
      }
      if (message.type === 'subscribe') {
        try {
          const dispose = dispatcher.subscribe(
            message.channel,
            (payload) => void send({ type: 'event', id: message.id, payload }),
          );
          active.set(message.id, dispose);
        } catch (error) {
          void send({ type: 'error', id: message.id, error: serializeError(error) });
        }
        return;
      }
      const abort = new AbortController();
      active.set(message.id, () => abort.abort());
      void (async () => {
        try {
          for await (const item of dispatcher.openStream(message.channel, message.input, abort.signal)) {
            await send({ type: 'item', id: message.id, item });
          }
          if (!abort.signal.aborted) await send({ type: 'end', id: message.id });
        } catch (error) {
          if (!abort.signal.aborted) await send({ type: 'error', id: message.id, error: serializeError(error) });
        } finally {
          if (active.get(message.id) !== undefined && !abort.signal.aborted) active.delete(message.id);
        }
      })();
    });
    ws.on('close', () => {
      for (const dispose of active.values()) dispose();
      active.clear();
    });
    ws.on('error', () => ws.terminate());
  };

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  policy = createSecurityPolicy(options.token, options.host, port, options.extraHostNames);
  headers = securityHeaders(policy);
  const first = policy.allowedHosts[0] ?? `${options.host}:${port}`;
  const url = `http://${first}/`;
  return {
    url,
    loginUrl: `${url}?token=${options.token}`,
    port,
    policy,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}
