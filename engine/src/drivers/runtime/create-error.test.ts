import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyCreateFailure } from './create-error.js';

describe('classifyCreateFailure', () => {
  const cases: { message: string; kind: string; exitCode: number }[] = [
    {
      message: 'runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH\n',
      kind: 'invalid-argument',
      exitCode: 127,
    },
    {
      message: 'runc create failed: unable to start container process: exec: "/x": stat /x: no such file or directory',
      kind: 'invalid-argument',
      exitCode: 127,
    },
    {
      message: 'runc create failed: unable to start container process: exec: "/etc": permission denied',
      kind: 'invalid-argument',
      exitCode: 126,
    },
    { message: 'error mounting "/a" to rootfs at "/etc/hosts": not a directory', kind: 'invalid-argument', exitCode: 128 },
    { message: 'runc create failed: unable to apply cgroup configuration: oops', kind: 'internal', exitCode: 128 },
  ];
  for (const testCase of cases) {
    it(`${testCase.kind} ${testCase.exitCode}: ${testCase.message.slice(0, 60)}`, () => {
      const error = classifyCreateFailure(testCase.message);
      assert.equal(error.kind, testCase.kind);
      assert.equal(error.exitCode, testCase.exitCode);
      assert.ok(error.message.startsWith(`OCI runtime create failed: ${testCase.message.trim()}`));
    });
  }
});
