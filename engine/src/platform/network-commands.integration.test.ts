import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { deleteLinks } from './network-commands.js';

test('deleteLinks deletes what exists and ignores names already gone, as a veth the kernel removed first', async () => {
  execFileSync('ip', ['link', 'add', 'berthtestdel0', 'type', 'bridge']);
  try {
    await deleteLinks(['berthgone0', 'berthtestdel0', 'berthgone1']);
    assert.equal(existsSync('/sys/class/net/berthtestdel0'), false);
  } finally {
    if (existsSync('/sys/class/net/berthtestdel0')) execFileSync('ip', ['link', 'del', 'berthtestdel0']);
  }
});

test('deleteLinks still reports a real failure', async () => {
  // The loopback interface cannot be deleted: that is an error, not a missing name.
  await assert.rejects(deleteLinks(['lo']), /ip link failed/);
});
