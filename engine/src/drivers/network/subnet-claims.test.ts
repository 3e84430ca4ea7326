import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SubnetClaims } from './subnet-claims.js';

const base = await mkdtemp(join(tmpdir(), 'berth-claims-'));
after(() => rm(base, { recursive: true, force: true }));

test('a subnet is claimed once per live owner; dead owners and released claims free it', async () => {
  const directory = join(base, 'claims');
  const first = new SubnetClaims(directory, base);
  const second = new SubnetClaims(directory, tmpdir());
  assert.equal(await first.claim('10.0.0.0/24'), true);
  assert.equal(await first.claim('10.0.0.0/24'), true);
  assert.equal(await second.claim('10.0.0.0/24'), false);
  await first.release('10.0.0.0/24');
  assert.equal(await second.claim('10.0.0.0/24'), true);
  // A claim left by an engine that died (no such pid) is taken over.
  await writeFile(join(directory, '10.0.1.0_24'), `${base}\n999999999\n`);
  assert.equal(await second.claim('10.0.1.0/24'), true);
  assert.match(await readFile(join(directory, '10.0.1.0_24'), 'utf8'), new RegExp(`^${tmpdir()}\\n${process.pid}\\n$`));
});
