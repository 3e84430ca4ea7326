import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneRotatedLogs, rotatedLogPaths, shiftLogFiles } from './k8s-file-rotation.js';

test('shifting keeps max-file files once the monitor has reopened the path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-rotate-'));
  const path = join(dir, 'container.log');
  for (const generation of ['g1', 'g2', 'g3', 'g4']) {
    await writeFile(path, generation);
    await shiftLogFiles(path, 3);
    await writeFile(path, ''); // the monitor's reopen
    await pruneRotatedLogs(path, 3);
  }
  assert.deepEqual((await readdir(dir)).sort(), ['container.log', 'container.log.1', 'container.log.2']);
  assert.equal(await readFile(`${path}.1`, 'utf8'), 'g4');
  assert.equal(await readFile(`${path}.2`, 'utf8'), 'g3');
  assert.deepEqual(await rotatedLogPaths(path), [`${path}.2`, `${path}.1`]);

  await shiftLogFiles(path, 1);
  await writeFile(path, '');
  await pruneRotatedLogs(path, 1);
  assert.deepEqual(await readdir(dir), ['container.log']);
});
