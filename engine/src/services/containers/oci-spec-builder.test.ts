import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OciSeccomp } from '../../core/runtime/oci-spec.js';
import { bindMount, buildOciSpec, daemonEnvironment, type OciSpecInput } from './oci-spec-builder.js';
import { allCapabilities, capabilitiesFromMask, defaultCapabilities, resolveCapabilities } from './capabilities.js';

const profile: OciSeccomp = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };

function input(overrides: Partial<OciSpecInput> = {}): OciSpecInput {
  return {
    rootfsPath: '/var/lib/berth/c/abc/rootfs',
    args: ['sh', '-c', 'echo hi'],
    env: ['PATH=/usr/bin:/bin', 'FOO=bar'],
    cwd: '',
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'abc123',
    tty: false,
    readonlyRootfs: false,
    privileged: false,
    capAdd: [],
    capDrop: [],
    noNewPrivileges: false,
    seccomp: profile,
    mounts: [],
    cgroupsPath: '/berth/abc',
    shmSize: 64 * 1024 * 1024,
    annotations: {},
    ...overrides,
  };
}

/** The bitmask /proc/self/status shows as CapEff for a capability list. */
function capMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const cap of caps) mask |= 1n << BigInt(allCapabilities.indexOf(cap));
  return mask.toString(16).padStart(16, '0');
}

describe('capabilities', () => {
  it("Docker's default set is CapEff 00000000a80425fb", () => {
    assert.equal(capMask(defaultCapabilities), '00000000a80425fb');
    assert.equal(defaultCapabilities.length, 14);
  });

  const cases: { name: string; add: string[]; drop: string[]; privileged?: boolean; expect: (caps: string[]) => void }[] = [
    { name: 'defaults', add: [], drop: [], expect: (caps) => assert.deepEqual(caps, [...defaultCapabilities]) },
    {
      name: 'add by short lowercase name',
      add: ['net_admin'],
      drop: [],
      expect: (caps) => assert.deepEqual(caps, [...defaultCapabilities, 'CAP_NET_ADMIN']),
    },
    {
      name: 'drop one',
      add: [],
      drop: ['CAP_CHOWN', 'mknod'],
      expect: (caps) =>
        assert.deepEqual(
          caps,
          defaultCapabilities.filter((cap) => cap !== 'CAP_CHOWN' && cap !== 'CAP_MKNOD'),
        ),
    },
    {
      name: 'drop ALL keeps only adds',
      add: ['NET_BIND_SERVICE'],
      drop: ['ALL'],
      expect: (caps) => assert.deepEqual(caps, ['CAP_NET_BIND_SERVICE']),
    },
    {
      name: 'add ALL minus drops',
      add: ['ALL'],
      drop: ['SYS_ADMIN'],
      expect: (caps) => {
        assert.equal(caps.length, allCapabilities.length - 1);
        assert.ok(!caps.includes('CAP_SYS_ADMIN'));
      },
    },
    {
      name: 'privileged gets all',
      add: [],
      drop: ['ALL'],
      privileged: true,
      expect: (caps) => assert.deepEqual(caps, [...allCapabilities]),
    },
    {
      name: 'adding a default does not duplicate',
      add: ['CHOWN'],
      drop: [],
      expect: (caps) => assert.deepEqual(caps, [...defaultCapabilities]),
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => testCase.expect(resolveCapabilities(testCase.add, testCase.drop, testCase.privileged ?? false)));
  }

  it('privileged and ALL are limited to the capabilities the engine has', () => {
    const available = capabilitiesFromMask(0x000001fffeffffffn);
    assert.ok(!available.includes('CAP_SYS_RESOURCE'));
    assert.equal(available.length, allCapabilities.length - 1);
    assert.deepEqual(resolveCapabilities([], [], true, available), available);
    assert.deepEqual(resolveCapabilities(['ALL'], [], false, available), available);
    assert.equal(capMask(capabilitiesFromMask(0xa80425fbn)), '00000000a80425fb');
  });

  it('rejects unknown capabilities as invalid-argument', () => {
    assert.throws(() => resolveCapabilities(['NOPE'], [], false), {
      kind: 'invalid-argument',
      message: 'unknown capability: "CAP_NOPE"',
    });
  });
});

describe('buildOciSpec defaults', () => {
  const spec = buildOciSpec(input());

  it('has the process as given, cwd / by default, env with HOSTNAME', () => {
    assert.deepEqual(spec.process.args, ['sh', '-c', 'echo hi']);
    assert.equal(spec.process.cwd, '/');
    assert.deepEqual(spec.process.env, ['PATH=/usr/bin:/bin', 'HOSTNAME=abc123', 'FOO=bar']);
    assert.equal(spec.process.terminal, false);
    assert.deepEqual(spec.process.user, { uid: 0, gid: 0 });
    assert.equal(spec.hostname, 'abc123');
    assert.deepEqual(spec.root, { path: '/var/lib/berth/c/abc/rootfs', readonly: false });
  });

  it('sets bounding, effective and permitted to the 14 defaults, no inheritable/ambient', () => {
    const caps = spec.process.capabilities;
    assert.ok(caps);
    assert.deepEqual(caps.bounding, [...defaultCapabilities]);
    assert.deepEqual(caps.effective, [...defaultCapabilities]);
    assert.deepEqual(caps.permitted, [...defaultCapabilities]);
    assert.equal(caps.inheritable, undefined);
    assert.equal(caps.ambient, undefined);
  });

  it('uses the five Docker namespaces', () => {
    assert.deepEqual(
      spec.linux.namespaces.map((ns) => ns.type),
      ['mount', 'network', 'uts', 'pid', 'ipc'],
    );
  });

  it("has Docker's default mounts with a 64m /dev/shm", () => {
    const byDestination = new Map(spec.mounts.map((mount) => [mount.destination, mount]));
    assert.deepEqual(
      spec.mounts.map((mount) => mount.destination),
      ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm'],
    );
    assert.deepEqual(byDestination.get('/proc')?.options, ['nosuid', 'noexec', 'nodev']);
    assert.deepEqual(byDestination.get('/dev')?.options, ['nosuid', 'strictatime', 'mode=755', 'size=65536k']);
    assert.deepEqual(byDestination.get('/dev/pts')?.options, [
      'nosuid',
      'noexec',
      'newinstance',
      'ptmxmode=0666',
      'mode=0620',
      'gid=5',
    ]);
    assert.ok(byDestination.get('/sys')?.options?.includes('ro'));
    assert.ok(byDestination.get('/sys/fs/cgroup')?.options?.includes('ro'));
    assert.deepEqual(byDestination.get('/dev/shm')?.options, ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864']);
  });

  it('masks and read-only-mounts the /proc and /sys paths Docker does', () => {
    for (const path of [
      '/proc/kcore',
      '/proc/keys',
      '/proc/timer_list',
      '/sys/firmware',
      '/proc/acpi',
      '/proc/scsi',
      '/sys/devices/virtual/powercap',
    ])
      assert.ok(spec.linux.maskedPaths?.includes(path), path);
    assert.deepEqual(spec.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('denies all devices, then allows the basic ones, and denies fuse', () => {
    const rules = spec.linux.resources?.devices ?? [];
    assert.deepEqual(rules[0], { allow: false, access: 'rwm' });
    const allowed = rules.filter((rule) => rule.allow).map((rule) => `${rule.major}:${rule.minor}`);
    assert.deepEqual(allowed.sort(), ['1:3', '1:5', '1:8', '1:9', '5:0', '5:1']);
    assert.deepEqual(rules.at(-1), { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' });
  });

  it('sets RLIMIT_NOFILE 1048576, the seccomp profile, cgroupsPath and network sysctls', () => {
    assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }]);
    assert.deepEqual(spec.linux.seccomp, profile);
    assert.equal(spec.linux.cgroupsPath, '/berth/abc');
    assert.deepEqual(spec.linux.sysctl, {
      'net.ipv4.ip_unprivileged_port_start': '0',
      'net.ipv4.ping_group_range': '0 2147483647',
    });
    assert.equal(spec.process.noNewPrivileges, false);
    assert.equal(spec.annotations, undefined);
  });
});

describe('buildOciSpec options', () => {
  it('privileged: all caps, no seccomp, no masking, rw /sys, host devices, all devices allowed', () => {
    const device = { type: 'c', path: '/dev/kmsg', major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0 };
    const spec = buildOciSpec(input({ privileged: true, hostDevices: [device] }));
    assert.deepEqual(spec.process.capabilities?.effective, [...allCapabilities]);
    assert.equal(spec.linux.seccomp, undefined);
    assert.equal(spec.linux.maskedPaths, undefined);
    assert.equal(spec.linux.readonlyPaths, undefined);
    assert.ok(!spec.mounts.find((mount) => mount.destination === '/sys')?.options?.includes('ro'));
    assert.ok(!spec.mounts.find((mount) => mount.destination === '/sys/fs/cgroup')?.options?.includes('ro'));
    assert.deepEqual(spec.linux.devices, [device]);
    assert.deepEqual(spec.linux.resources?.devices, [{ allow: true, access: 'rwm' }]);
  });

  it('seccomp unconfined and seccomp built from the final capabilities', () => {
    assert.equal(buildOciSpec(input({ seccomp: 'unconfined' })).linux.seccomp, undefined);
    let seen: readonly string[] = [];
    buildOciSpec(
      input({
        capAdd: ['SYS_PTRACE'],
        seccomp: (caps) => {
          seen = caps;
          return profile;
        },
      }),
    );
    assert.ok(seen.includes('CAP_SYS_PTRACE'));
  });

  it('tty sets terminal, console size and TERM=xterm', () => {
    const spec = buildOciSpec(input({ tty: true, consoleSize: { rows: 40, columns: 120 } }));
    assert.equal(spec.process.terminal, true);
    assert.deepEqual(spec.process.consoleSize, { height: 40, width: 120 });
    assert.ok(spec.process.env.includes('TERM=xterm'));
  });

  it('user, readonly rootfs, no-new-privileges, annotations, rlimits override', () => {
    const spec = buildOciSpec(
      input({
        user: { uid: 1000, gid: 100, additionalGids: [10, 20] },
        readonlyRootfs: true,
        noNewPrivileges: true,
        annotations: { 'org.example': 'x' },
        rlimits: [
          { type: 'RLIMIT_NOFILE', hard: 1024, soft: 512 },
          { type: 'RLIMIT_NPROC', hard: 10, soft: 10 },
        ],
      }),
    );
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 100, additionalGids: [10, 20] });
    assert.equal(spec.root.readonly, true);
    assert.equal(spec.process.noNewPrivileges, true);
    assert.deepEqual(spec.annotations, { 'org.example': 'x' });
    assert.deepEqual(spec.process.rlimits, [
      { type: 'RLIMIT_NOFILE', hard: 1024, soft: 512 },
      { type: 'RLIMIT_NPROC', hard: 10, soft: 10 },
    ]);
  });

  it("lowers Docker's open-files default to the engine's hard limit, not explicit ulimits", () => {
    assert.deepEqual(buildOciSpec(input({ hostNofileLimit: 20000 })).process.rlimits, [
      { type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 },
    ]);
    assert.deepEqual(buildOciSpec(input({ hostNofileLimit: 4194304 })).process.rlimits, [
      { type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 },
    ]);
    const explicit = [{ type: 'RLIMIT_NOFILE', hard: 30000, soft: 30000 }];
    assert.deepEqual(buildOciSpec(input({ hostNofileLimit: 20000, rlimits: explicit })).process.rlimits, explicit);
  });

  it('joins a network namespace without the default sysctls; host network has none', () => {
    const joined = buildOciSpec(input({ networkNamespacePath: '/proc/42/ns/net' }));
    assert.deepEqual(joined.linux.namespaces[1], { type: 'network', path: '/proc/42/ns/net' });
    assert.equal(joined.linux.sysctl, undefined);
    const host = buildOciSpec(input({ hostNetwork: true, sysctls: { 'kernel.shmmax': '1' } }));
    assert.ok(!host.linux.namespaces.some((ns) => ns.type === 'network'));
    assert.deepEqual(host.linux.sysctl, { 'kernel.shmmax': '1' });
    const cgroupns = buildOciSpec(input({ privateCgroupNamespace: true }));
    assert.equal(cgroupns.linux.namespaces.at(-1)?.type, 'cgroup');
  });

  it('user mounts replace defaults at the same place and go parents first', () => {
    const spec = buildOciSpec(
      input({
        shmSize: 1024,
        mounts: [
          bindMount('/host/a/b', '/data/sub'),
          bindMount('/host/hosts', '/etc/hosts', { readonly: true }),
          bindMount('/host/a', '/data'),
          bindMount('/host/shm', '/dev/shm'),
        ],
      }),
    );
    const destinations = spec.mounts.map((mount) => mount.destination);
    assert.deepEqual(destinations, [
      '/proc',
      '/dev',
      '/dev/pts',
      '/sys',
      '/sys/fs/cgroup',
      '/dev/mqueue',
      '/data',
      '/data/sub',
      '/etc/hosts',
      '/dev/shm',
    ]);
    assert.deepEqual(
      spec.mounts.find((mount) => mount.destination === '/etc/hosts'),
      {
        destination: '/etc/hosts',
        type: 'bind',
        source: '/host/hosts',
        options: ['rbind', 'rprivate', 'ro'],
      },
    );
  });

  it('a user /dev replaces every /dev default', () => {
    const spec = buildOciSpec(input({ mounts: [bindMount('/dev', '/dev')] }));
    assert.deepEqual(
      spec.mounts.map((mount) => mount.destination),
      ['/proc', '/sys', '/sys/fs/cgroup', '/dev'],
    );
  });

  it('does not share arrays with its input', () => {
    const source = input({ mounts: [bindMount('/a', '/b')] });
    const spec = buildOciSpec(source);
    spec.mounts.at(-1)?.options?.push('x');
    spec.process.args.push('y');
    assert.deepEqual(source.mounts[0]?.options, ['rbind', 'rprivate']);
    assert.deepEqual(source.args, ['sh', '-c', 'echo hi']);
  });
});

describe('daemonEnvironment', () => {
  it('puts PATH, HOSTNAME, TERM first and lets the container override them', () => {
    assert.deepEqual(daemonEnvironment(['A=1', 'HOSTNAME=mine'], 'h', true), [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOSTNAME=mine',
      'TERM=xterm',
      'A=1',
    ]);
  });
});
