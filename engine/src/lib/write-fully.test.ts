import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { writeFully } from './write-fully.js';

/** A handle whose writes store at most `limit` bytes each, like write(2) on a nearly full disk. */
function shortWritingHandle(limit: number): { handle: FileHandle; stored: number[] } {
  const stored: number[] = [];
  const handle = {
    write: async (data: Uint8Array, offset: number, length: number) => {
      const count = Math.min(limit, length);
      stored.push(...data.subarray(offset, offset + count));
      return { bytesWritten: count, buffer: data };
    },
  } as unknown as FileHandle;
  return { handle, stored };
}

test('short writes are continued until every byte is stored, in order', async () => {
  const { handle, stored } = shortWritingHandle(3);
  const data = Uint8Array.from({ length: 10 }, (_, index) => index);
  await writeFully(handle, data);
  assert.deepEqual(stored, [...data]);
});

test('a write that stores nothing is a full disk, not a silent loss', async () => {
  const { handle } = shortWritingHandle(0);
  await assert.rejects(writeFully(handle, new Uint8Array(4)), (error: NodeJS.ErrnoException) => error.code === 'ENOSPC');
});
