// The push half of the registry client against a real docker-registry: HEAD, monolithic and
// chunked uploads (verified by the registry's own digest check), cross-repository mounts, manifests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { parseImageReference } from '@berth/common';
import { createSilentLogger } from '../../lib/logger.js';
import { sha256Digest } from '../../lib/digest.js';
import { MediaTypes } from '../../core/registry/registry-client.js';
import { startTestRegistry, type TestRegistry } from '../../testing/test-registry.js';
import { OciRegistryClient } from './oci-registry-client.js';

let registry: TestRegistry;
let client: OciRegistryClient;

before(async () => {
  registry = await startTestRegistry();
  client = new OciRegistryClient({ logger: createSilentLogger() });
});

after(async () => {
  await client?.close();
  await registry?.stop();
});

const blobOf = (size: number) => {
  const data = randomBytes(size);
  return { data, descriptor: { mediaType: MediaTypes.dockerLayerGzip, digest: sha256Digest(data), size } };
};

async function fetchBack(repository: string, digest: string): Promise<Buffer> {
  const response = await fetch(`${registry.url}/v2/${repository}/blobs/${digest}`);
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

test('monolithic upload, then HEAD sees the blob', async () => {
  const reference = parseImageReference(`${registry.host}/mono/app:v1`);
  const { data, descriptor } = blobOf(300_000);
  assert.equal(await client.blobExists(reference, descriptor.digest), false);
  const progress: number[] = [];
  await client.uploadBlob(reference, descriptor, async () => Readable.from([data.subarray(0, 1000), data.subarray(1000)]), {
    onProgress: (sent) => progress.push(sent),
  });
  assert.equal(await client.blobExists(reference, descriptor.digest), true);
  assert.equal(progress.at(-1), data.length);
  assert.deepEqual(await fetchBack('mono/app', descriptor.digest), data);
});

test('chunked upload in Content-Range PATCHes of a fixed size, last one shorter', async () => {
  const reference = parseImageReference(`${registry.host}/chunked/app:v1`);
  const { data, descriptor } = blobOf(250_001);
  const progress: number[] = [];
  await client.uploadBlob(reference, descriptor, async () => Readable.from([data]), {
    chunkSize: 64 * 1024,
    onProgress: (sent) => progress.push(sent),
  });
  assert.deepEqual(progress, [65_536, 131_072, 196_608, 250_001]);
  assert.deepEqual(await fetchBack('chunked/app', descriptor.digest), data);
});

test('the registry refuses an upload whose bytes do not match the digest', async () => {
  const reference = parseImageReference(`${registry.host}/mono/app:v1`);
  const { data, descriptor } = blobOf(10_000);
  const tampered = Buffer.from(data);
  tampered[5] = (tampered[5] ?? 0) ^ 0xff;
  await assert.rejects(
    client.uploadBlob(reference, descriptor, async () => Readable.from([tampered])),
    (error: Error) => /digest/i.test(error.message),
  );
  assert.equal(await client.blobExists(reference, descriptor.digest), false);
});

test('cross-repository mount, and a declined mount (unknown blob) returns false', async () => {
  const source = parseImageReference(`${registry.host}/mount/source:v1`);
  const target = parseImageReference(`${registry.host}/mount/target:v1`);
  const { data, descriptor } = blobOf(5_000);
  await client.uploadBlob(source, descriptor, async () => Readable.from([data]));
  assert.equal(await client.mountBlob(target, descriptor.digest, 'mount/source'), true);
  assert.equal(await client.blobExists(target, descriptor.digest), true);
  const unknown = blobOf(10).descriptor.digest;
  assert.equal(await client.mountBlob(target, unknown, 'mount/source'), false);
});

test('putManifest stores a manifest under a tag and returns its digest', async () => {
  const reference = parseImageReference(`${registry.host}/manifest/app:v1`);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const configDescriptor = { mediaType: MediaTypes.dockerConfig, digest: sha256Digest(config), size: config.length };
  await client.uploadBlob(reference, configDescriptor, async () => Readable.from([config]));
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.dockerManifest, config: configDescriptor, layers: [] }),
  );
  const digest = await client.putManifest(reference, 'v1', manifest, MediaTypes.dockerManifest);
  assert.equal(digest, sha256Digest(manifest));
  const fetched = await client.fetchManifest(reference, 'v1');
  assert.equal(fetched.digest, digest);
  await assert.rejects(
    client.putManifest(
      reference,
      'broken',
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaTypes.dockerManifest,
          config: { ...configDescriptor, digest: blobOf(3).descriptor.digest },
          layers: [],
        }),
      ),
      MediaTypes.dockerManifest,
    ),
    /manifest blob unknown|blob unknown/i,
  );
});
