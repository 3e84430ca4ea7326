import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { pack } from 'tar-stream';
import { listTarChildren, pickHelperImage } from './volume-browser.js';

async function tarOf(
  entries: Array<{ name: string; type?: 'directory' | 'symlink'; body?: string; linkname?: string }>,
): Promise<Buffer> {
  const archive = pack();
  for (const entry of entries) {
    archive.entry(
      {
        name: entry.name,
        type: entry.type ?? 'file',
        mtime: new Date(1_700_000_000_000),
        ...(entry.linkname !== undefined ? { linkname: entry.linkname } : {}),
      },
      entry.body ?? '',
    );
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('volume browser', () => {
  it('lists only the direct children of the archived directory, directories first', async () => {
    const tar = await tarOf([
      { name: 'data/', type: 'directory' },
      { name: 'data/b.txt', body: 'hello' },
      { name: 'data/conf/', type: 'directory' },
      { name: 'data/conf/deep.ini', body: 'x' },
      { name: 'data/link', type: 'symlink', linkname: 'b.txt' },
    ]);
    const { entries, truncated } = await listTarChildren(Readable.from([tar]));
    assert.equal(truncated, false);
    assert.deepEqual(
      entries.map((e) => [e.name, e.type, e.size, e.target]),
      [
        ['conf', 'directory', 0, undefined],
        ['b.txt', 'file', 5, undefined],
        ['link', 'symlink', 0, 'b.txt'],
      ],
    );
    assert.equal(entries[1]?.modified, 1_700_000_000);
  });

  it('stops collecting at the limit and says so', async () => {
    const tar = await tarOf([{ name: 'd/', type: 'directory' }, ...Array.from({ length: 5 }, (_, i) => ({ name: `d/f${i}` }))]);
    const { entries, truncated } = await listTarChildren(Readable.from([tar]), 3);
    assert.equal(entries.length, 3);
    assert.equal(truncated, true);
  });

  it('prefers busybox or alpine as the helper image', () => {
    assert.equal(pickHelperImage(['nginx:1', '127.0.0.1:5000/busybox:latest']), '127.0.0.1:5000/busybox:latest');
    assert.equal(pickHelperImage(['nginx:1']), 'nginx:1');
    assert.equal(pickHelperImage([]), undefined);
  });
});
