import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandLine, mergeEnv, mergeImageDefaults, validateContainerName } from './container-defaults.js';

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
