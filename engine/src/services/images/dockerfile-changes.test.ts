import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@berth/common';
import { applyDockerfileChanges } from './dockerfile-changes.js';

test('exec and shell forms of CMD and ENTRYPOINT', () => {
  const config = applyDockerfileChanges({}, ['CMD ["echo", "hi"]', 'ENTRYPOINT /bin/run --flag']);
  assert.deepEqual(config.Cmd, ['echo', 'hi']);
  assert.deepEqual(config.Entrypoint, ['/bin/sh', '-c', '/bin/run --flag']);
});

test('ENV and LABEL pairs (quoted values, legacy form) replace existing keys', () => {
  const config = applyDockerfileChanges({ Env: ['A=old', 'PATH=/bin'] }, [
    'ENV A=new B="two words"',
    'ENV C legacy value',
    "LABEL x=1 'y z'=2",
  ]);
  assert.deepEqual(config.Env, ['PATH=/bin', 'A=new', 'B=two words', 'C=legacy value']);
  assert.deepEqual(config.Labels, { x: '1', 'y z': '2' });
});

test('EXPOSE, VOLUME, USER, WORKDIR (relative joins), STOPSIGNAL; several lines in one change', () => {
  const config = applyDockerfileChanges({ WorkingDir: '/srv' }, [
    'EXPOSE 80 53/udp\nVOLUME ["/data", "/logs"]',
    'VOLUME /cache',
    'USER nobody',
    'WORKDIR app',
    'STOPSIGNAL SIGINT',
  ]);
  assert.deepEqual(config.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(config.Volumes, { '/data': {}, '/logs': {}, '/cache': {} });
  assert.equal(config.User, 'nobody');
  assert.equal(config.WorkingDir, '/srv/app');
  assert.equal(config.StopSignal, 'SIGINT');
});

test('the input config is not modified', () => {
  const input = { Env: ['A=1'] };
  applyDockerfileChanges(input, ['ENV A=2']);
  assert.deepEqual(input, { Env: ['A=1'] });
});

test('unsupported instructions and bad ports are refused as dockerd words them', () => {
  assert.throws(
    () => applyDockerfileChanges({}, ['RUN rm -rf /']),
    (error: unknown) => error instanceof AppError && error.message === 'run is not a valid change command',
  );
  assert.throws(() => applyDockerfileChanges({}, ['EXPOSE eighty']), /invalid containerPort: eighty/);
});
