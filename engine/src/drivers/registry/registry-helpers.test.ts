import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWwwAuthenticate } from './www-authenticate.js';
import { parsePlatform, selectPlatformManifest } from './platform-matcher.js';
import { InsecureRegistries } from './insecure-registries.js';
import type { Descriptor } from '../../core/registry/registry-client.js';

test('WWW-Authenticate parsing', () => {
  assert.deepEqual(
    parseWwwAuthenticate(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
    ),
    [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/busybox:pull',
        },
      },
    ],
  );
  assert.deepEqual(parseWwwAuthenticate('Basic realm="basic-realm"'), [{ scheme: 'basic', params: { realm: 'basic-realm' } }]);
  assert.deepEqual(
    parseWwwAuthenticate('Bearer realm="r",scope="repository:a:pull,push"')[0]?.params['scope'],
    'repository:a:pull,push',
  );
});

const d = (n: number, platform?: Descriptor['platform'], annotations?: Record<string, string>): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 1,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});

test('platform selection', () => {
  const list = [
    d(1, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' }),
    d(2, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    d(3, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    d(4, { os: 'linux', architecture: 'amd64' }),
    d(5, { os: 'windows', architecture: 'amd64' }),
  ];
  assert.equal(selectPlatformManifest(list, parsePlatform('linux/amd64'))?.digest, d(4).digest);
  assert.equal(selectPlatformManifest(list, parsePlatform('linux/arm64'))?.digest, d(3).digest);
  assert.equal(selectPlatformManifest(list, parsePlatform('linux/aarch64'))?.digest, d(3).digest);
  assert.equal(selectPlatformManifest(list, parsePlatform('linux/arm/v7'))?.digest, d(2).digest);
  assert.equal(selectPlatformManifest(list, parsePlatform('linux/arm/v6')), undefined);
  assert.equal(selectPlatformManifest([list[0] as Descriptor], parsePlatform('linux/amd64')), undefined);
  assert.throws(() => parsePlatform('linux'), /invalid platform/);
});

test('insecure registries: loopback always, plus configured names and CIDRs', () => {
  const insecure = new InsecureRegistries(['myreg:5000', '10.0.0.0/8', 'plain.example']);
  assert.equal(insecure.isInsecure('127.0.0.1:5000'), true);
  assert.equal(insecure.isInsecure('127.5.0.1'), true);
  assert.equal(insecure.isInsecure('localhost:5000'), true);
  assert.equal(insecure.isInsecure('myreg:5000'), true);
  assert.equal(insecure.isInsecure('myreg:5001'), false);
  assert.equal(insecure.isInsecure('10.2.3.4:443'), true);
  assert.equal(insecure.isInsecure('plain.example:8080'), true);
  assert.equal(insecure.isInsecure('docker.io'), false);
  assert.equal(insecure.isInsecure('11.0.0.1'), false);
});
