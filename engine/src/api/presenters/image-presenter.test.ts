import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Image } from '../../core/images/image.js';
import { presentImageSummary } from './image-presenter.js';

function image(overrides: Partial<Image>): Image {
  return {
    id: `sha256:${'a'.repeat(64)}`,
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
    repoTags: [],
    repoDigests: [],
    chainIds: [],
    size: 10,
    storedAt: 0,
    ...overrides,
  } as Image;
}

test('image list items: digests as dockerd lists them (null for a tagged image without any, <none> when unnamed)', () => {
  assert.equal(presentImageSummary(image({ repoTags: ['docker.io/library/built:latest'] }))['RepoDigests'], null);
  assert.deepEqual(
    presentImageSummary(
      image({
        repoTags: ['docker.io/library/busybox:latest'],
        repoDigests: [`docker.io/library/busybox@sha256:${'b'.repeat(64)}`],
      }),
    )['RepoDigests'],
    [`busybox@sha256:${'b'.repeat(64)}`],
  );
  const unnamed = presentImageSummary(image({}));
  assert.deepEqual([unnamed['RepoTags'], unnamed['RepoDigests']], [['<none>:<none>'], ['<none>@<none>']]);
});
