import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toPullProgress } from './images.handlers.js';

describe('pull and push progress lines', () => {
  it('maps a layer line with its byte counts', () => {
    assert.deepEqual(toPullProgress({ status: 'Pushing', id: '3f4ca61aafcd', progressDetail: { current: 512, total: 2048 } }), {
      status: 'Pushing',
      layerId: '3f4ca61aafcd',
      current: 512,
      total: 2048,
    });
  });

  it("skips the push's closing aux line, which has no status", () => {
    assert.equal(toPullProgress({ progressDetail: {}, aux: { Tag: 'v1', Digest: 'sha256:ab', Size: 527 } }), undefined);
    assert.deepEqual(toPullProgress({ status: 'v1: digest: sha256:ab size: 527' }), {
      status: 'v1: digest: sha256:ab size: 527',
    });
  });

  it('turns an error line into a thrown error', () => {
    assert.throws(
      () => toPullProgress({ error: 'manifest unknown', errorDetail: { message: 'manifest unknown' } }),
      /manifest unknown/,
    );
  });
});
