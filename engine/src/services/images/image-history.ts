import { familiarizeName, invalidArgument } from '@berth/common';
import type { Image } from '../../core/images/image.js';
import type { ImageHistoryItem } from '../../core/images/image-service.js';
import { chainIds } from '../../lib/digest.js';
import type { Digest } from '../../lib/digest.js';

/**
 * dockerd's ImageHistory: one entry per config history entry, newest first; non-empty entries take
 * the next layer's size (by chain ID). Only the top entry is this image; the rest are `<missing>`
 * because images here have no local parent images.
 */
export function imageHistory(image: Image, layerSize: (chainId: Digest) => number | undefined): ImageHistoryItem[] {
  const diffIds = image.config.rootfs.diff_ids;
  const chain = chainIds(diffIds);
  const items: ImageHistoryItem[] = [];
  let layer = 0;
  for (const entry of image.config.history ?? []) {
    let size = 0;
    if (entry.empty_layer !== true) {
      const chainId = chain[layer];
      if (chainId === undefined) throw invalidArgument('too many non-empty layers in History section');
      size = layerSize(chainId) ?? 0;
      layer++;
    }
    const created = entry.created === undefined ? Number.NaN : Date.parse(entry.created);
    items.unshift({
      id: '<missing>',
      created: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
      createdBy: entry.created_by ?? '',
      tags: [],
      size,
      comment: entry.comment ?? '',
    });
  }
  const top = items[0];
  if (top) {
    top.id = image.id;
    top.tags = image.repoTags.map(familiarizeName);
  }
  return items;
}
