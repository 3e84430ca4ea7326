import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Image } from '../../core/images/image.js';
import type { Digest } from '../../lib/digest.js';
import { checkImageFilters, filterImages, globToRegExp, parseUntil } from './image-filters.js';
import { imageHistory } from './image-history.js';

const image = (
  id: string,
  names: { tags?: string[]; digests?: string[] },
  created: string,
  labels?: Record<string, string>,
): Image => ({
  id: `sha256:${id.padEnd(64, '0')}` as Digest,
  config: {
    architecture: 'amd64',
    os: 'linux',
    created,
    rootfs: { type: 'layers', diff_ids: [] },
    ...(labels ? { config: { Labels: labels } } : {}),
  },
  repoTags: names.tags ?? [],
  repoDigests: names.digests ?? [],
  chainIds: [],
  size: 0,
  storedAt: 0,
});

const a = image('a', { tags: ['docker.io/library/busybox:latest'] }, '2024-01-01T00:00:00Z', { tier: 'web' });
const b = image('b', { tags: ['127.0.0.1:5000/team/app:v1', '127.0.0.1:5000/team/app:v2'] }, '2024-02-01T00:00:00Z');
const c = image('c', { digests: ['127.0.0.1:5000/team/app@sha256:' + 'c'.repeat(64)] }, '2024-03-01T00:00:00Z');
const d = image('d', {}, '2024-04-01T00:00:00Z');
const all = [a, b, c, d];
const ids = (images: Image[]) => images.map((one) => one.id.slice(7, 8));

test('dangling: true keeps untagged images, false keeps named ones', () => {
  assert.deepEqual(ids(filterImages(all, new Map([['dangling', ['true']]]), {})), ['c', 'd']);
  assert.deepEqual(ids(filterImages(all, new Map([['dangling', ['false']]]), {})), ['a', 'b', 'c']);
});

test('reference keeps only the matching names (Go path.Match: * stops at /)', () => {
  const matched = filterImages(all, new Map([['reference', ['127.0.0.1:5000/team/app:v2']]]), {});
  assert.deepEqual(
    matched.map((one) => one.repoTags),
    [['127.0.0.1:5000/team/app:v2']],
  );
  assert.deepEqual(ids(filterImages(all, new Map([['reference', ['busybox']]]), {})), ['a']);
  assert.deepEqual(ids(filterImages(all, new Map([['reference', ['*']]]), {})), ['a']);
  assert.deepEqual(ids(filterImages(all, new Map([['reference', ['127.0.0.1:5000/*/app']]]), {})), ['b', 'c']);
  assert.ok(globToRegExp('a[!b]c').test('axc'));
  assert.ok(!globToRegExp('a[!b]c').test('abc'));
});

test('label, before/since bounds and until', () => {
  assert.deepEqual(ids(filterImages(all, new Map([['label', ['tier=web']]]), {})), ['a']);
  assert.deepEqual(ids(filterImages(all, new Map([['label!', ['tier']]]), {})), ['b', 'c', 'd']);
  assert.deepEqual(ids(filterImages(all, new Map(), { before: Date.parse('2024-03-01T00:00:00Z') })), ['a', 'b']);
  assert.deepEqual(ids(filterImages(all, new Map(), { since: Date.parse('2024-02-01T00:00:00Z') })), ['c', 'd']);
  assert.deepEqual(ids(filterImages(all, new Map([['until', ['2024-01-15T00:00:00Z']]]), {})), ['a']);
});

test('until accepts timestamps, durations and dates; unknown keys are refused', () => {
  assert.equal(parseUntil('1700000000'), 1_700_000_000_000);
  assert.equal(parseUntil('1h30m', 10_000_000), 10_000_000 - 5_400_000);
  assert.equal(parseUntil('2024-01-01T00:00:00Z'), Date.parse('2024-01-01T00:00:00Z'));
  assert.throws(() => parseUntil('yesterday'), /failed to parse value as time or duration/);
  assert.throws(() => checkImageFilters(new Map([['color', ['red']]]), 'list'), /invalid filter 'color'/);
  assert.throws(() => checkImageFilters(new Map([['reference', ['x']]]), 'prune'), /invalid filter 'reference'/);
});

test('history: newest first, top entry is the image with its tags, empty layers have size 0', () => {
  const diffIds = [`sha256:${'1'.repeat(64)}`, `sha256:${'2'.repeat(64)}`] as Digest[];
  const base = image('e', { tags: ['docker.io/library/app:v1'] }, '2024-01-01T00:00:00Z');
  const withHistory: Image = {
    ...base,
    config: {
      ...base.config,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [
        { created: '2024-01-01T00:00:00Z', created_by: 'ADD rootfs' },
        { created: '2024-01-02T00:00:00Z', created_by: 'ENV A=1', empty_layer: true },
        { created: '2024-01-03T00:00:00Z', created_by: 'RUN make', comment: 'built' },
      ],
    },
  };
  const sizes = new Map<string, number>([[diffIds[0] as string, 1000]]);
  const items = imageHistory(withHistory, (chainId) => sizes.get(chainId) ?? 7);
  assert.deepEqual(
    items.map((item) => [item.id.slice(0, 9), item.createdBy, item.size, item.tags]),
    [
      ['sha256:e0', 'RUN make', 7, ['app:v1']],
      ['<missing>', 'ENV A=1', 0, []],
      ['<missing>', 'ADD rootfs', 1000, []],
    ],
  );
  assert.equal(items[0]?.comment, 'built');
  const broken: Image = { ...withHistory, config: { ...withHistory.config, rootfs: { type: 'layers', diff_ids: [] } } };
  assert.throws(() => imageHistory(broken, () => 0), /too many non-empty layers/);
});
