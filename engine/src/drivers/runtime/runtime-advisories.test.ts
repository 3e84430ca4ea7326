import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeAdvisories } from './runtime-advisories.js';

const runcVersion = (version: string) => `runc version ${version}\ncommit: v${version}\nspec: 1.0.2-dev\n`;

test('runc before 1.1.12 is flagged for CVE-2024-21626', () => {
  const [warning] = runtimeAdvisories('runc', runcVersion('1.1.5'));
  assert.match(warning ?? '', /runc 1\.1\.5 is older than 1\.1\.12 .*CVE-2024-21626/);
  assert.equal(runtimeAdvisories('runc', runcVersion('1.0.99')).length, 1);
});

test('fixed releases, other runtimes and unreadable output give no warning', () => {
  assert.deepEqual(runtimeAdvisories('runc', runcVersion('1.1.12')), []);
  assert.deepEqual(runtimeAdvisories('runc', runcVersion('1.2.0')), []);
  assert.deepEqual(runtimeAdvisories('crun', 'crun version 1.8.1\ncommit: abc\n'), []);
  assert.deepEqual(runtimeAdvisories('runc', 'something else'), []);
});
