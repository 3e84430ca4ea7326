import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  compareKernel,
  defaultSeccompProfilePath,
  loadSeccompProfile,
  parseSeccompProfile,
  toOciSeccomp,
  type SeccompProfile,
} from './seccomp-profile.js';
import type { OciSeccomp } from '../../core/runtime/oci-spec.js';

const defaultCaps = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** The action the converted filter gives a syscall when no argument condition applies. */
function unconditionalAction(seccomp: OciSeccomp, name: string): string | undefined {
  return seccomp.syscalls.find((rule) => rule.names.includes(name) && (rule.args === undefined || rule.args.length === 0))
    ?.action;
}

describe('seccomp profile conversion (synthetic)', () => {
  const profile: SeccompProfile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
    syscalls: [
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
      { names: ['ptrace'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '4.8' } },
      { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
      { names: ['cacheflush'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm'] } },
      {
        names: ['socket'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 40, valueTwo: 0, op: 'SCMP_CMP_NE' }],
        excludes: { arches: ['s390x'] },
      },
    ],
  };

  const cases: { name: string; caps: string[]; kernel: string; allowed: string[]; absent: string[] }[] = [
    {
      name: 'defaults on 6.1',
      caps: defaultCaps,
      kernel: '6.1.0-18-amd64',
      allowed: ['read', 'ptrace', 'arch_prctl'],
      absent: ['mount', 'cacheflush'],
    },
    { name: 'old kernel has no ptrace', caps: defaultCaps, kernel: '4.4.0', allowed: ['read'], absent: ['ptrace'] },
    {
      name: 'CAP_SYS_ADMIN unlocks mount, drops the clone3 ENOSYS rule',
      caps: [...defaultCaps, 'CAP_SYS_ADMIN'],
      kernel: '6.1',
      allowed: ['mount'],
      absent: ['clone3'],
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const seccomp = toOciSeccomp(profile, { arch: 'amd64', capabilities: testCase.caps, kernelVersion: testCase.kernel });
      assert.equal(seccomp.defaultAction, 'SCMP_ACT_ERRNO');
      assert.equal(seccomp.defaultErrnoRet, 1);
      assert.deepEqual(seccomp.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
      for (const name of testCase.allowed) assert.equal(unconditionalAction(seccomp, name), 'SCMP_ACT_ALLOW', name);
      for (const name of testCase.absent) assert.ok(!seccomp.syscalls.some((rule) => rule.names.includes(name)), name);
    });
  }

  it('keeps argument conditions and errnoRet', () => {
    const seccomp = toOciSeccomp(profile, { arch: 'amd64', capabilities: defaultCaps, kernelVersion: '6.1' });
    assert.deepEqual(
      seccomp.syscalls.find((rule) => rule.names.includes('socket')),
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, valueTwo: 0, op: 'SCMP_CMP_NE' }] },
    );
    assert.deepEqual(
      seccomp.syscalls.find((rule) => rule.names.includes('clone3')),
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    );
  });

  it('compares kernel versions numerically', () => {
    assert.ok(compareKernel('5.10.0', '4.8') > 0);
    assert.ok(compareKernel('4.14', '4.8') > 0);
    assert.equal(compareKernel('4.8.0-1-amd64', '4.8'), 0);
    assert.ok(compareKernel('3.19', '4.8') < 0);
  });

  it('rejects a profile without defaultAction', () => {
    assert.throws(() => parseSeccompProfile('{"syscalls": []}'), { kind: 'invalid-argument' });
  });
});

describe(
  'seccomp profile conversion (/usr/share/containers/seccomp.json)',
  { skip: !existsSync(defaultSeccompProfilePath) },
  () => {
    it('converts the installed profile for the default capability set on amd64', async () => {
      const profile = await loadSeccompProfile();
      const seccomp = toOciSeccomp(profile, { arch: 'amd64', capabilities: defaultCaps, kernelVersion: '6.1.0' });
      assert.deepEqual(seccomp.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
      assert.equal(seccomp.defaultAction, 'SCMP_ACT_ERRNO');
      assert.equal(typeof seccomp.defaultErrnoRet, 'number');
      for (const name of ['read', 'write', 'execve', 'clone', 'arch_prctl', 'chroot'])
        assert.equal(unconditionalAction(seccomp, name), 'SCMP_ACT_ALLOW', name);
      // Capability-gated syscalls are refused with EPERM when the capability is missing.
      for (const name of ['bpf', 'init_module', 'settimeofday', 'acct', 'open_by_handle_at']) {
        const rule = seccomp.syscalls.find((item) => item.names.includes(name));
        if (rule !== undefined) assert.equal(rule.action, 'SCMP_ACT_ERRNO', name);
      }
      // Other architectures' rules are gone, and no rule still carries includes/excludes.
      assert.ok(!seccomp.syscalls.some((rule) => rule.names.includes('s390_runtime_instr')));
      assert.ok(!seccomp.syscalls.some((rule) => rule.names.includes('cacheflush')));
      for (const rule of seccomp.syscalls)
        assert.deepEqual(
          Object.keys(rule).filter((key) => !['names', 'action', 'errnoRet', 'args'].includes(key)),
          [],
        );
    });

    it('allows gated syscalls once the capability is added', async () => {
      const profile = await loadSeccompProfile();
      const withAdmin = toOciSeccomp(profile, {
        arch: 'amd64',
        capabilities: [...defaultCaps, 'CAP_SYS_ADMIN'],
        kernelVersion: '6.1.0',
      });
      assert.equal(unconditionalAction(withAdmin, 'bpf'), 'SCMP_ACT_ALLOW');
      const without = toOciSeccomp(profile, { arch: 'amd64', capabilities: defaultCaps, kernelVersion: '6.1.0' });
      assert.equal(unconditionalAction(without, 'bpf'), 'SCMP_ACT_ERRNO');
    });
  },
);
