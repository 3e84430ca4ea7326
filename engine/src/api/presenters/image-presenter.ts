import { familiarizeName } from '@berth/common';
import type { Image } from '../../core/images/image.js';
import type { ImageDeleteItem, ImageHistoryItem } from '../../core/images/image-service.js';
import type { ImageContainerConfig } from '../../core/images/image-config.js';

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
    ContainerConfig: dockerContainerConfig(config.container_config),
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: dockerContainerConfig(config.config),
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

/**
 * An image's Config or ContainerConfig as dockerd shows it: decoded into its container.Config
 * struct, so every field is there (Go's zero values) except the ones it leaves out when empty.
 */
function dockerContainerConfig(config: ImageContainerConfig | undefined): Record<string, unknown> {
  const given = config ?? {};
  const omittedWhenEmpty = [
    'ExposedPorts',
    'Healthcheck',
    'ArgsEscaped',
    'NetworkDisabled',
    'MacAddress',
    'StopSignal',
    'StopTimeout',
    'Shell',
  ];
  const result: Record<string, unknown> = {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: null,
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
    ...given,
  };
  for (const key of omittedWhenEmpty) {
    const value = result[key];
    if (value === undefined || value === null || value === '' || value === false || value === 0) delete result[key];
  }
  return result;
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
