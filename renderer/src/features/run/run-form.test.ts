import { describe, expect, it } from 'vitest';
import { parsePortSpec, splitCommandLine, toRunInput, type RunFormValues } from './run-form';

const base: RunFormValues = { image: 'busybox', name: '', command: '', env: '', ports: '', volumes: '', restartPolicy: 'no' };

describe('splitCommandLine', () => {
  it('splits on blanks and honours quotes and backslashes', () => {
    expect(splitCommandLine(`sh -c 'echo $((6*7)); sleep 1' "a \\"b\\"" c\\ d ''`)).toEqual([
      'sh',
      '-c',
      'echo $((6*7)); sleep 1',
      'a "b"',
      'c d',
      '',
    ]);
  });
  it('refuses an unterminated quote', () => {
    expect(() => splitCommandLine(`echo "oops`)).toThrow(/unterminated/);
  });
});

describe('parsePortSpec', () => {
  it('reads the docker run -p forms', () => {
    expect(parsePortSpec('80')).toEqual({ containerPort: 80, protocol: 'tcp' });
    expect(parsePortSpec('8080:80')).toEqual({ containerPort: 80, hostPort: 8080, protocol: 'tcp' });
    expect(parsePortSpec('127.0.0.1:5353:53/udp')).toEqual({
      containerPort: 53,
      hostPort: 5353,
      hostIp: '127.0.0.1',
      protocol: 'udp',
    });
    expect(parsePortSpec('127.0.0.1::80')).toEqual({ containerPort: 80, hostIp: '127.0.0.1', protocol: 'tcp' });
  });
  it('refuses nonsense', () => {
    for (const bad of ['http', '0', '70000', '1:2:3:4', '80/icmp', ':']) expect(() => parsePortSpec(bad)).toThrow();
  });
});

describe('toRunInput', () => {
  it('builds the contract input from the fields', () => {
    const result = toRunInput({
      ...base,
      image: ' 127.0.0.1:5000/busybox ',
      name: 'web',
      command: 'sh -c "echo hi"',
      env: 'A=1\n\n# comment\nB=two=2',
      ports: '8080:80, 53/udp',
      volumes: 'data:/data:ro',
      restartPolicy: 'unless-stopped',
    });
    expect(result).toEqual({
      ok: true,
      input: {
        image: '127.0.0.1:5000/busybox',
        name: 'web',
        command: ['sh', '-c', 'echo hi'],
        env: ['A=1', 'B=two=2'],
        ports: [
          { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
          { containerPort: 53, protocol: 'udp' },
        ],
        volumes: ['data:/data:ro'],
        restartPolicy: 'unless-stopped',
      },
    });
  });
  it('names the field in error', () => {
    expect(toRunInput({ ...base, image: '' })).toMatchObject({ ok: false, field: 'image' });
    expect(toRunInput({ ...base, name: '-x' })).toMatchObject({ ok: false, field: 'name' });
    expect(toRunInput({ ...base, env: 'NOVALUE' })).toMatchObject({ ok: false, field: 'env' });
    expect(toRunInput({ ...base, ports: '80:http' })).toMatchObject({ ok: false, field: 'ports' });
    expect(toRunInput({ ...base, volumes: 'data' })).toMatchObject({ ok: false, field: 'volumes' });
    expect(toRunInput({ ...base, command: "echo 'x" })).toMatchObject({ ok: false, field: 'command' });
  });
});
