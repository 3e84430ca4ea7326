import { createServer, type Server } from 'node:http';
import { request } from 'undici';
import { freePort } from './test-registry.js';

/** One blob GET as the proxy saw it. */
export interface BlobRequest {
  digest: string;
  range: string | undefined;
  status: number;
  bytesSent: number;
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`: use as the registry part of references. */
  host: string;
  requests: BlobRequest[];
  /** Cut the connection after this many body bytes, once per digest (the next GET goes through). */
  cutAfter: Map<string, number>;
  /** Drop `Range` headers, as a registry that ignores them (answers 200 with the whole blob). */
  ignoreRange: boolean;
  /** Pause this long between 64 KiB body chunks (a slow registry, for crash tests). */
  chunkDelayMs: number;
  bytesFor(digest: string): number;
  close(): Promise<void>;
}

/**
 * A streaming HTTP proxy on 127.0.0.1 in front of a test registry that counts blob requests and
 * injects faults (connection cuts mid-blob, ignored Range, slowness). Test support only.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const requests: BlobRequest[] = [];
  const cutAfter = new Map<string, number>();
  const state = { ignoreRange: false, chunkDelayMs: 0 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const digest = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec((req.url ?? '').split('?')[0] ?? '')?.[1];
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value !== 'string' || key === 'host' || key === 'connection') continue;
        if (key === 'range' && state.ignoreRange) continue;
        headers[key] = value;
      }
      const upstreamResponse = await request(`${upstream}${req.url ?? '/'}`, {
        method: (req.method ?? 'GET') as 'GET',
        headers,
      });
      const outHeaders: Record<string, string | string[]> = {};
      for (const [key, value] of Object.entries(upstreamResponse.headers)) {
        if (value !== undefined && key !== 'transfer-encoding' && key !== 'connection' && key !== 'keep-alive')
          outHeaders[key] = value;
      }
      res.writeHead(upstreamResponse.statusCode, outHeaders);
      const record: BlobRequest | undefined =
        digest && req.method === 'GET'
          ? { digest, range: req.headers.range, status: upstreamResponse.statusCode, bytesSent: 0 }
          : undefined;
      if (record) requests.push(record);
      const cut = digest ? cutAfter.get(digest) : undefined;
      if (digest && cut !== undefined) cutAfter.delete(digest);
      for await (const chunk of upstreamResponse.body) {
        let buffer = chunk as Buffer;
        while (buffer.length > 0) {
          const piece = buffer.subarray(0, 64 * 1024);
          buffer = buffer.subarray(piece.length);
          if (cut !== undefined && record && record.bytesSent + piece.length >= cut) {
            const last = piece.subarray(0, cut - record.bytesSent);
            record.bytesSent += last.length;
            res.write(last);
            await new Promise((resolve) => setTimeout(resolve, 20));
            res.socket?.destroy();
            await upstreamResponse.body.dump().catch(() => undefined);
            return;
          }
          if (record) record.bytesSent += piece.length;
          if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
          if (state.chunkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.chunkDelayMs));
          if (res.destroyed) {
            await upstreamResponse.body.dump().catch(() => undefined);
            return;
          }
        }
      }
      res.end();
    })().catch(() => {
      if (!res.headersSent) res.statusCode = 502;
      res.destroy();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    requests,
    cutAfter,
    get ignoreRange() {
      return state.ignoreRange;
    },
    set ignoreRange(value: boolean) {
      state.ignoreRange = value;
    },
    get chunkDelayMs() {
      return state.chunkDelayMs;
    },
    set chunkDelayMs(value: number) {
      state.chunkDelayMs = value;
    },
    bytesFor: (digest) => requests.filter((item) => item.digest === digest).reduce((sum, item) => sum + item.bytesSent, 0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
