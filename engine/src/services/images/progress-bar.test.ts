import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanSize, renderProgress } from './progress-bar.js';
import { chainIds, sha256Digest } from '../../lib/digest.js';

test('humanSize matches go-units HumanSize', () => {
  assert.equal(humanSize(130), '130B');
  assert.equal(humanSize(3678), '3.678kB');
  assert.equal(humanSize(300291), '300.3kB');
  assert.equal(humanSize(1982347), '1.982MB');
  assert.equal(humanSize(39936), '39.94kB');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(0), '0B');
});

test("progress bar is dockerd's 50-column bar plus %8v/%v", () => {
  assert.equal(renderProgress(130, 130), `[${'='.repeat(50)}>]     130B/130B`);
  assert.equal(renderProgress(3678, 300291), `[>${' '.repeat(50)}]  3.678kB/300.3kB`);
  assert.equal(renderProgress(150, 300), `[${'='.repeat(25)}>${' '.repeat(25)}]     150B/300B`);
  assert.equal(renderProgress(0, 0), '');
  assert.equal(renderProgress(500, 0), '    500B');
});

test('chain IDs follow Docker', () => {
  const d0 = sha256Digest('a');
  const d1 = sha256Digest('b');
  assert.deepEqual(chainIds([d0, d1]), [d0, sha256Digest(`${d0} ${d1}`)]);
});
