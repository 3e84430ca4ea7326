import { familiarizeName } from '@berth/common';
import type { Image } from '../../core/images/image.js';
import type { ImageDeleteItem, ImageHistoryItem } from '../../core/images/image-service.js';

function createdSeconds(image: Image): number {
  const created = image.config.created === undefined ? Number.NaN : Date.parse(image.config.created);
  return Math.floor((Number.isNaN(created) ? image.storedAt : created) / 1000);
}

/**
 * An item of `GET /images/json`; names in Docker's familiar form (`busybox:latest`). An image with
 * no name at all shows `<none>:<none>` / `<none>@<none>` as dockerd 20.10 does at API 1.41.
 */
export function presentImageSummary(
  image: Image,
  usage: { containers: number; sharedSize: number } = { containers: -1, sharedSize: -1 },
): Record<string, unknown> {
  const unnamed = image.repoTags.length === 0 && image.repoDigests.length === 0;
  return {
    Containers: usage.containers,
    Created: createdSeconds(image),
    Id: image.id,
    Labels: image.config.config?.Labels ?? null,
    ParentId: '',
    // dockerd's list leaves a tagged image without digests (built, imported) at null.
    RepoDigests: unnamed ? ['<none>@<none>'] : image.repoDigests.length > 0 ? image.repoDigests.map(familiarizeName) : null,
    RepoTags: unnamed ? ['<none>:<none>'] : image.repoTags.map(familiarizeName),
    SharedSize: usage.sharedSize,
    Size: image.size,
    VirtualSize: image.size,
  };
}

/** `GET /images/{name}/json`. */
export function presentImageInspect(image: Image): Record<string, unknown> {
  const { config } = image;
  return {
    Id: image.id,
    RepoTags: image.repoTags.map(familiarizeName),
    RepoDigests: image.repoDigests.map(familiarizeName),
    Parent: '',
    Comment: config.comment ?? '',
    Created: config.created ?? new Date(image.storedAt).toISOString(),
    Container: config.container ?? '',
    ContainerConfig: config.container_config ?? {},
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: { Env: null, Cmd: null, Entrypoint: null, WorkingDir: '', Labels: null, ...(config.config ?? {}) },
    Architecture: config.architecture,
    ...(config.variant !== undefined ? { Variant: config.variant } : {}),
    Os: config.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: { Name: 'overlay2', Data: null },
    RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

/** `DELETE /images/{name}` and prune's `ImagesDeleted`. */
export function presentImageDeleteItems(items: readonly ImageDeleteItem[]): Record<string, string>[] {
  return items.map((item) => ('untagged' in item ? { Untagged: item.untagged } : { Deleted: item.deleted }));
}

/** `GET /images/{name}/history`: `Tags` is null when empty, as Go's nil slice. */
export function presentImageHistory(items: readonly ImageHistoryItem[]): Record<string, unknown>[] {
  return items.map((item) => ({
    Comment: item.comment,
    Created: item.created,
    CreatedBy: item.createdBy,
    Id: item.id,
    Size: item.size,
    Tags: item.tags.length === 0 ? null : item.tags,
  }));
}
