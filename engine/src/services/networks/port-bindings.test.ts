import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingsCollide, parseHostPort, parsePortKey, portMap, requestedPorts } from './port-bindings.js';

test('port keys and host ports', () => {
  assert.deepEqual(parsePortKey('80'), { port: 80, protocol: 'tcp' });
  assert.deepEqual(parsePortKey('53/udp'), { port: 53, protocol: 'udp' });
  assert.throws(() => parsePortKey('70000/tcp'), /invalid port/);
  assert.deepEqual(parseHostPort(''), {});
  assert.deepEqual(parseHostPort('8000-8010'), { first: 8000, last: 8010 });
  assert.throws(() => parseHostPort('9-1'), /invalid hostPort/);
});

test('-p and -P requests; the IPv6 twin binding is skipped', () => {
  const requests = requestedPorts(
    { ExposedPorts: { '80/tcp': {}, '9000/udp': {} } },
    {
      PortBindings: {
        '80/tcp': [
          { HostIp: '127.0.0.1', HostPort: '' },
          { HostIp: '::', HostPort: '' },
        ],
      },
      PublishAllPorts: true,
    },
  );
  assert.deepEqual(requests, [
    { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1' },
    { containerPort: 9000, protocol: 'udp', hostIp: '' },
  ]);
});

test('Ports map and collisions', () => {
  assert.deepEqual(portMap(['80/tcp', '81/tcp'], [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }]), {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
    '81/tcp': null,
  });
  assert.equal(
    bindingsCollide({ hostIp: '', hostPort: 1, protocol: 'tcp' }, { hostIp: '127.0.0.1', hostPort: 1, protocol: 'tcp' }),
    true,
  );
  assert.equal(
    bindingsCollide({ hostIp: '', hostPort: 1, protocol: 'tcp' }, { hostIp: '', hostPort: 1, protocol: 'udp' }),
    false,
  );
});
