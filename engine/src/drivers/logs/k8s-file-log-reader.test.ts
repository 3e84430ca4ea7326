import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry } from '../../core/logs/log-entry.js';
import { readK8sFileLog } from './k8s-file-log-reader.js';
import { shiftLogFiles } from './k8s-file-rotation.js';

const line = (second: number, stream: string, text: string): string =>
  `2026-11-28T00:00:${String(second).padStart(2, '0')}.000000000Z ${stream} F ${text}\n`;

test('tail, since/until and follow until the container finishes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
  const path = join(dir, 'container.log');
  await writeFile(path, line(1, 'stdout', 'a') + line(2, 'stderr', 'b') + line(3, 'stdout', 'c'));
  const read = async (options: { tail?: number; sinceNano?: bigint; untilNano?: bigint }): Promise<string[]> => {
    const seen: string[] = [];
    await readK8sFileLog(
      path,
      { follow: false, isFinished: () => true, signal: new AbortController().signal, ...options },
      (entry: LogEntry) => {
        seen.push(`${entry.stream}:${entry.data.toString().trim()}`);
      },
    );
    return seen;
  };
  assert.deepEqual(await read({}), ['stdout:a', 'stderr:b', 'stdout:c']);
  assert.deepEqual(await read({ tail: 2 }), ['stderr:b', 'stdout:c']);
  assert.deepEqual(await read({ tail: 0 }), []);
  const second = (s: number): bigint => BigInt(Date.parse(`2026-11-28T00:00:0${s}Z`)) * 1_000_000n;
  assert.deepEqual(await read({ sinceNano: second(2) }), ['stderr:b', 'stdout:c']);
  assert.deepEqual(await read({ untilNano: second(2) }), ['stdout:a']);

  let finished = false;
  const followed: string[] = [];
  const following = readK8sFileLog(
    path,
    { follow: true, tail: 1, isFinished: () => finished, signal: new AbortController().signal },
    (entry) => {
      followed.push(entry.data.toString().trim());
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  await appendFile(path, line(4, 'stdout', 'd'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  await appendFile(path, line(5, 'stdout', 'e'));
  finished = true;
  await following;
  assert.deepEqual(followed, ['c', 'd', 'e']);
});

const record = (second: number, stream: string, tag: 'F' | 'P', text: string): string =>
  `2026-11-28T00:00:${String(second).padStart(2, '0')}.000000000Z ${stream} ${tag} ${text}\n`;

test('rotated files are read oldest first and partial records are joined per stream', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
  const path = join(dir, 'container.log');
  await writeFile(`${path}.2`, record(1, 'stdout', 'F', 'one'));
  await writeFile(`${path}.1`, record(2, 'stdout', 'P', 'tw') + record(2, 'stderr', 'F', 'err') + record(3, 'stdout', 'F', 'o'));
  await writeFile(path, record(4, 'stdout', 'P', 'unfinished'));
  await writeFile(join(dir, 'container.log.tmp'), record(9, 'stdout', 'F', 'not a rotated file'));
  const seen: string[] = [];
  await readK8sFileLog(path, { follow: false, isFinished: () => true, signal: new AbortController().signal }, (entry) => {
    seen.push(`${entry.stream}:${entry.data.toString()}:${entry.partial}`);
  });
  assert.deepEqual(seen, ['stdout:one\n:false', 'stderr:err\n:false', 'stdout:two\n:false', 'stdout:unfinished:true']);
  const tailed: string[] = [];
  await readK8sFileLog(
    path,
    { follow: false, tail: 2, isFinished: () => true, signal: new AbortController().signal },
    (entry) => {
      tailed.push(entry.data.toString());
    },
  );
  assert.deepEqual(tailed, ['two\n', 'unfinished']);
});

test('following continues across a rotation (rename, then a new file at the path)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
  const path = join(dir, 'container.log');
  await writeFile(path, record(1, 'stdout', 'F', 'a'));
  let finished = false;
  const followed: string[] = [];
  const following = readK8sFileLog(
    path,
    { follow: true, isFinished: () => finished, signal: new AbortController().signal },
    (entry) => {
      followed.push(entry.data.toString().trim());
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  await shiftLogFiles(path, 2);
  // The monitor still writes to the renamed file until it reopens the path.
  await appendFile(`${path}.1`, record(2, 'stdout', 'F', 'b'));
  await writeFile(path, record(3, 'stdout', 'F', 'c'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  finished = true;
  await following;
  assert.deepEqual(followed, ['a', 'b', 'c']);
});
