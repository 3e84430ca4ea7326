import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEntry } from '../../core/logs/log-entry.js';
import { readK8sFileLog } from './k8s-file-log-reader.js';

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
