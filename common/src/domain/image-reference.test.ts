/// <reference types="node" />
// common/ compiles without Node types; only this test needs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  familiarImageReference,
  formatImageReference,
  parseImageReference,
  registryApiHost,
  familiarizeName,
} from './image-reference.js';
import { AppError } from '../errors/app-error.js';

const digest = `sha256:${'a'.repeat(64)}`;

test('normalises Docker Hub short names', () => {
  assert.deepEqual(parseImageReference('busybox'), { registry: 'docker.io', repository: 'library/busybox', tag: 'latest' });
  assert.equal(formatImageReference(parseImageReference('busybox')), 'docker.io/library/busybox:latest');
  assert.equal(formatImageReference(parseImageReference('user/app:1.0')), 'docker.io/user/app:1.0');
  assert.equal(formatImageReference(parseImageReference('docker.io/busybox')), 'docker.io/library/busybox:latest');
  assert.equal(formatImageReference(parseImageReference('index.docker.io/library/busybox')), 'docker.io/library/busybox:latest');
});

test('a first component with ".", ":" or localhost is a registry', () => {
  assert.deepEqual(parseImageReference('127.0.0.1:5000/busybox'), {
    registry: '127.0.0.1:5000',
    repository: 'busybox',
    tag: 'latest',
  });
  assert.deepEqual(parseImageReference('localhost/a/b:v'), { registry: 'localhost', repository: 'a/b', tag: 'v' });
  assert.deepEqual(parseImageReference('ghcr.io/org/img'), { registry: 'ghcr.io', repository: 'org/img', tag: 'latest' });
  assert.deepEqual(parseImageReference('myhost/img'), { registry: 'docker.io', repository: 'myhost/img', tag: 'latest' });
  assert.deepEqual(parseImageReference('localhost:5000'), {
    registry: 'docker.io',
    repository: 'library/localhost',
    tag: '5000',
  });
});

test('digests and tag+digest', () => {
  assert.deepEqual(parseImageReference(`busybox@${digest}`), { registry: 'docker.io', repository: 'library/busybox', digest });
  assert.deepEqual(parseImageReference(`127.0.0.1:5000/x:1@${digest}`), {
    registry: '127.0.0.1:5000',
    repository: 'x',
    tag: '1',
    digest,
  });
  assert.equal(formatImageReference(parseImageReference(`x:1@${digest}`)), `docker.io/library/x:1@${digest}`);
});

test('familiar names', () => {
  assert.equal(familiarImageReference(parseImageReference('busybox')), 'busybox:latest');
  assert.equal(familiarImageReference(parseImageReference('user/app:2')), 'user/app:2');
  assert.equal(familiarImageReference(parseImageReference('127.0.0.1:5000/busybox')), '127.0.0.1:5000/busybox:latest');
  assert.equal(familiarizeName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarizeName('docker.io/library/a/b:1'), 'library/a/b:1');
});

test('registry API host', () => {
  assert.equal(registryApiHost('docker.io'), 'registry-1.docker.io');
  assert.equal(registryApiHost('127.0.0.1:5000'), '127.0.0.1:5000');
});

test('invalid references are refused with "invalid reference format"', () => {
  for (const bad of [
    '',
    'BusyBox',
    'a//b',
    'a:',
    ':tag',
    'a@sha256:abc',
    'a:tag with space',
    '-a',
    'a/-b',
    '127.0.0.1:5000/Up',
    'a'.repeat(64).replace(/a/g, 'b'),
    `x@${digest.toUpperCase()}`,
    'a..b',
  ]) {
    assert.throws(
      () => parseImageReference(bad),
      (error: unknown) =>
        error instanceof AppError && error.kind === 'invalid-argument' && error.message.startsWith('invalid reference format'),
      bad,
    );
  }
});
