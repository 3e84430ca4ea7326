import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseImageReference, AppError } from '@berth/common';
import { createSilentLogger } from '../../lib/logger.js';
import { sha256Digest } from '../../lib/digest.js';
import { MediaTypes } from '../../core/registry/registry-client.js';
import { OciRegistryClient } from './oci-registry-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
let server: Server;
let host: string;
let cdn: Server;
let cdnHost: string;
const cdnAuthHeaders: (string | undefined)[] = [];
const blob = Buffer.from('0123456789abcdef');
const blobDigest = sha256Digest(blob);

before(async () => {
  server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  cdn = createServer((req, res) => {
    cdnAuthHeaders.push(req.headers.authorization);
    res.end(blob);
  });
  await new Promise<void>((resolve) => cdn.listen(0, 'localhost', resolve));
  cdnHost = `localhost:${(cdn.address() as { port: number }).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => cdn.close(resolve));
});

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: { mediaType: MediaTypes.dockerConfig, size: blob.length, digest: blobDigest },
    layers: [],
  }),
);

test('Bearer token flow: challenge, token with scope, cached token, Range, redirect drops Authorization', async () => {
  let tokenRequests = 0;
  handler = (req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname === '/token') {
      tokenRequests++;
      const ok =
        url.searchParams.get('scope') === 'repository:team/app:pull' &&
        url.searchParams.get('service') === 'test-registry' &&
        req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`;
      if (!ok) {
        res.statusCode = 401;
        return void res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ token: 'tok', expires_in: 300 }));
      return;
    }
    if (url.pathname === '/v2/') {
      res.statusCode = 401;
      res.setHeader('www-authenticate', `Bearer realm="http://${host}/token",service="test-registry"`);
      res.end();
      return;
    }
    if (req.headers.authorization !== 'Bearer tok') {
      res.statusCode = 401;
      res.setHeader(
        'www-authenticate',
        `Bearer realm="http://${host}/token",service="test-registry",scope="repository:team/app:pull"`,
      );
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (url.pathname === '/v2/team/app/manifests/v1') {
      res.setHeader('content-type', MediaTypes.dockerManifest);
      res.setHeader('docker-content-digest', sha256Digest(manifest));
      res.end(manifest);
      return;
    }
    if (url.pathname === `/v2/team/app/blobs/${blobDigest}`) {
      if (req.headers.range === 'bytes=10-') {
        res.statusCode = 206;
        res.end(blob.subarray(10));
      } else {
        res.statusCode = 307;
        res.setHeader('location', `http://${cdnHost}/blob`);
        res.end();
      }
      return;
    }
    res.statusCode = 404;
    res.end();
  };
  const client = new OciRegistryClient({ logger: createSilentLogger() });
  try {
    const reference = parseImageReference(`${host}/team/app:v1`);
    const credentials = { username: 'u', password: 'p' };
    const resolved = await client.resolve(reference, { credentials });
    assert.equal(resolved.digest, sha256Digest(manifest));
    assert.equal(resolved.parsed.config.digest, blobDigest);
    const descriptor = resolved.parsed.config;
    const partial = await client.fetchBlob(reference, descriptor, { credentials, offset: 10 });
    assert.equal(partial.offset, 10);
    assert.equal(Buffer.concat(await partial.body.toArray()).toString(), 'abcdef');
    const full = await client.fetchBlob(reference, descriptor, { credentials });
    assert.equal(full.offset, 0);
    assert.deepEqual(Buffer.concat(await full.body.toArray()), blob);
    assert.deepEqual(cdnAuthHeaders, [undefined]);
    assert.equal(tokenRequests, 1);
    // Anonymous: the token server refuses, so the pull is unauthorized.
    await assert.rejects(
      client.resolve(parseImageReference(`${host}/team/app:v1`)),
      (e: unknown) => e instanceof AppError && e.kind === 'unauthorized',
    );
  } finally {
    await client.close();
  }
});

test('schema1 is refused and a mismatching Docker-Content-Digest is caught', async () => {
  handler = (req, res) => {
    if (req.url === '/v2/') return void res.end('{}');
    if (req.url === '/v2/old/manifests/v1') {
      res.setHeader('content-type', MediaTypes.dockerSchema1Signed);
      return void res.end(JSON.stringify({ schemaVersion: 1, name: 'old' }));
    }
    res.setHeader('content-type', MediaTypes.dockerManifest);
    res.setHeader('docker-content-digest', `sha256:${'1'.repeat(64)}`);
    res.end(manifest);
  };
  const client = new OciRegistryClient({ logger: createSilentLogger() });
  try {
    await assert.rejects(client.resolve(parseImageReference(`${host}/old:v1`)), /schema 1 are not supported/);
    await assert.rejects(client.resolve(parseImageReference(`${host}/new:v1`)), /manifest verification failed/);
    await assert.rejects(
      client.fetchManifest(parseImageReference(`${host}/new:v1`), `sha256:${'2'.repeat(64)}`),
      /manifest verification failed for digest sha256:2222/,
    );
  } finally {
    await client.close();
  }
});

test('docker.io goes to mirrors first and falls back when the mirror lacks the manifest', async () => {
  handler = (req, res) => {
    if (req.url === '/v2/') return void res.end('{}');
    res.statusCode = 404;
    res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
  };
  const client = new OciRegistryClient({ logger: createSilentLogger(), registryMirrors: [`http://${host}`] });
  try {
    // The mirror says 404; the fallback (registry-1.docker.io) is unreachable offline, so the error is about it.
    await assert.rejects(client.resolve(parseImageReference('busybox')), (e: unknown) => e instanceof AppError);
  } finally {
    await client.close();
  }
});
