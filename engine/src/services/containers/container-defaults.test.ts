import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  commandLine,
  mergeEnv,
  mergeImageDefaults,
  validateContainerName,
  withDockerHostDefaults,
} from './container-defaults.js';
import { dockerMaskedPaths, dockerReadonlyPaths } from './oci-spec-builder.js';
import { healthcheckPlan } from '../health/healthcheck-config.js';
import type { ImageContainerConfig } from '../../core/images/image-config.js';

const image = { Cmd: ['sh'], Entrypoint: ['/entry'], Env: ['PATH=/bin', 'A=image'], WorkingDir: '/srv', User: 'app' };

test('image defaults merge as dockerd merges them', () => {
  const fromImage = mergeImageDefaults({ Image: 'x' }, image);
  assert.deepEqual([fromImage.Entrypoint, fromImage.Cmd], [['/entry'], ['sh']]);
  assert.equal(fromImage.WorkingDir, '/srv');
  assert.equal(fromImage.User, 'app');

  const withCmd = mergeImageDefaults({ Image: 'x', Cmd: ['echo', 'hi'] }, image);
  assert.deepEqual([withCmd.Entrypoint, withCmd.Cmd], [['/entry'], ['echo', 'hi']]);

  // A client entrypoint drops the image's Cmd.
  const withEntrypoint = mergeImageDefaults({ Image: 'x', Entrypoint: ['/bin/true'] }, image);
  assert.deepEqual([withEntrypoint.Entrypoint, withEntrypoint.Cmd], [['/bin/true'], null]);

  const override = mergeImageDefaults({ Image: 'x', Env: ['A=client', 'B'], WorkingDir: '/tmp', User: '0' }, image);
  assert.deepEqual(override.Env, ['PATH=/bin', 'A=client', 'B']);
  assert.equal(override.WorkingDir, '/tmp');
  assert.equal(override.User, '0');
});

test('env merging keeps order and overrides by name', () => {
  assert.deepEqual(mergeEnv(['X=1', 'Y=2'], ['Y=3', 'Z=4']), ['X=1', 'Y=3', 'Z=4']);
});

test('a command is required', () => {
  assert.deepEqual(commandLine({ Entrypoint: ['sh', '-c'], Cmd: ['exit 3'] }), { path: 'sh', args: ['-c', 'exit 3'] });
  assert.throws(() => commandLine({ Entrypoint: null, Cmd: null }), /No command specified/);
});

test('container names follow Docker rules', () => {
  assert.equal(validateContainerName('/web-1'), 'web-1');
  assert.throws(() => validateContainerName('bad name'), /Invalid container name \(bad name\)/);
  assert.throws(() => validateContainerName('-x'), /Invalid container name/);
});

test('healthcheck flags merge field by field with the image healthcheck, as dockerd merges them', () => {
  const second = 1_000_000_000;
  const imageCheck = { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 30 * second, Timeout: 5 * second, Retries: 4 };
  const withImageCheck = { ...image, Healthcheck: imageCheck };
  const healthcheckOf = (
    client: Record<string, unknown> | null | undefined,
    from: ImageContainerConfig = withImageCheck,
  ): unknown => mergeImageDefaults({ Image: 'x', ...(client !== undefined ? { Healthcheck: client } : {}) }, from).Healthcheck;

  assert.deepEqual(healthcheckOf(undefined), imageCheck, 'no flags: the image healthcheck');
  assert.deepEqual(healthcheckOf(null), imageCheck);
  // `--health-interval 1s` alone: the CLI sends no Test and zero for the other fields.
  assert.deepEqual(healthcheckOf({ Interval: second, Timeout: 0, StartPeriod: 0, Retries: 0 }), {
    Test: ['CMD-SHELL', 'curl -f localhost'],
    Interval: second,
    Timeout: 5 * second,
    StartPeriod: 0,
    Retries: 4,
  });
  assert.deepEqual(healthcheckOf({ Test: ['CMD-SHELL', 'true'], Retries: 1 }), {
    Test: ['CMD-SHELL', 'true'],
    Interval: 30 * second,
    Timeout: 5 * second,
    Retries: 1,
  });
  assert.deepEqual(healthcheckOf({ Test: ['NONE'] }), { Test: ['NONE'], Interval: 30 * second, Timeout: 5 * second, Retries: 4 });
  assert.equal(healthcheckPlan({ Healthcheck: healthcheckOf({ Test: ['NONE'] }) }), undefined, '--no-healthcheck disables it');
  assert.deepEqual(healthcheckPlan({ Healthcheck: healthcheckOf({ Interval: second }) }), {
    command: ['/bin/sh', '-c', 'curl -f localhost'],
    intervalMs: 1000,
    timeoutMs: 5000,
    startPeriodMs: 0,
    retries: 4,
  });
  // No image healthcheck: the client's as sent.
  assert.deepEqual(healthcheckOf({ Interval: second }, image), { Interval: second });
  assert.equal(healthcheckOf(undefined, image), undefined);
});

test('empty lists and maps read back as dockerd leaves them: null Env and Volumes, no ExposedPorts', () => {
  const bare = mergeImageDefaults({ Image: 'x', Cmd: ['true'] }, { Cmd: ['sh'] });
  assert.equal(bare.Env, null);
  assert.equal(bare.Volumes, null);
  assert.equal('ExposedPorts' in bare, false);
  const full = mergeImageDefaults({ Image: 'x', ExposedPorts: { '80/tcp': {} } }, { Volumes: { '/data': {} }, Env: ['A=1'] });
  assert.deepEqual([full.Env, full.Volumes, full.ExposedPorts], [['A=1'], { '/data': {} }, { '80/tcp': {} }]);
});

test('HostConfig defaults as dockerd stores them: network mode, swappiness, masked and read-only paths', () => {
  const plain = withDockerHostDefaults({ NetworkMode: 'default', MemorySwappiness: -1 }, 1);
  assert.equal(plain.NetworkMode, 'default');
  assert.equal(plain['MemorySwappiness'], null);
  assert.deepEqual(plain['MaskedPaths'], [...dockerMaskedPaths]);
  assert.deepEqual(plain['ReadonlyPaths'], [...dockerReadonlyPaths]);
  assert.equal(withDockerHostDefaults({}, 1).NetworkMode, 'default');
  const chosen = withDockerHostDefaults({ MaskedPaths: ['/proc/kcore'], ReadonlyPaths: [] }, 1);
  assert.deepEqual([chosen['MaskedPaths'], chosen['ReadonlyPaths']], [['/proc/kcore'], []]);
  const privileged = withDockerHostDefaults({ Privileged: true }, 1);
  assert.equal(privileged['MaskedPaths'], null);
  assert.equal(privileged['ReadonlyPaths'], null);
});
