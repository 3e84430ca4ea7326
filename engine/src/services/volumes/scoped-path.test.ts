import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWithin, resolveInRoot } from './scoped-path.js';

const base = await mkdtemp(join(tmpdir(), 'berth-scoped-'));
const root = join(base, 'root');
after(() => rm(base, { recursive: true, force: true }));

test('symlinks and .. never leave the root', async () => {
  await mkdir(join(root, 'usr/lib'), { recursive: true });
  await symlink('/usr/lib', join(root, 'lib'));
  await symlink('../../../../..', join(root, 'up'));
  await symlink('/', join(root, 'slash'));
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  assert.equal(await resolveInRoot(root, '/lib/x.so'), join(root, 'usr/lib/x.so'));
  assert.equal(await resolveInRoot(root, '/up/etc/passwd'), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, '/../../etc'), join(root, 'etc'));
  assert.equal(await resolveInRoot(root, '/slash/../etc'), join(root, 'etc'));
  assert.equal(await resolveInRoot(root, '/lib', { followFinal: false }), join(root, 'lib'));
  await assert.rejects(resolveInRoot(root, '/loop1/x'), /too many levels/);
  assert.equal(isWithin(root, await resolveInRoot(root, '/up/up/up')), true);
  assert.equal(isWithin(root, `${root}-evil/x`), false);
});
