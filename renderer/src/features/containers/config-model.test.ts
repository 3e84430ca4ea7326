import { describe, expect, it } from 'vitest';
import { envEntries, mountEntries, portEntries, portUrl } from './config-model';

describe('inspect readers', () => {
  it('splits env and masks secret-looking names', () => {
    const env = envEntries({ Config: { Env: ['PATH=/bin', 'DB_PASSWORD=x=y', 'EMPTY'] } });
    expect(env).toEqual([
      { key: 'DB_PASSWORD', value: 'x=y', secret: true },
      { key: 'EMPTY', value: '', secret: false },
      { key: 'PATH', value: '/bin', secret: false },
    ]);
  });

  it('reads mounts', () => {
    expect(mountEntries({ Mounts: [{ Type: 'volume', Name: 'data', Source: '/v', Destination: '/data', RW: false }] })).toEqual([
      { type: 'volume', name: 'data', source: '/v', destination: '/data', readOnly: true },
    ]);
  });

  it('reads published and exposed ports and builds links', () => {
    const ports = portEntries({
      Config: { ExposedPorts: { '80/tcp': {}, '53/udp': {} } },
      NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': null } },
    });
    expect(ports).toEqual([
      { containerPort: '53', protocol: 'udp' },
      { containerPort: '80', protocol: 'tcp', hostIp: '0.0.0.0', hostPort: '8080' },
    ]);
    expect(portUrl(ports[1]!)).toBe('http://localhost:8080/');
    expect(portUrl(ports[0]!)).toBeUndefined();
    expect(portUrl({ containerPort: '80', protocol: 'tcp', hostIp: '::1', hostPort: '81' })).toBe('http://[::1]:81/');
  });
});
