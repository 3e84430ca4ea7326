import { familiarizeName } from '@berth/common';
import type { Image } from '../../core/images/image.js';

function createdSeconds(image: Image): number {
  const created = image.config.created === undefined ? Number.NaN : Date.parse(image.config.created);
  return Math.floor((Number.isNaN(created) ? image.storedAt : created) / 1000);
}

/** An item of `GET /images/json`; names in Docker's familiar form (`busybox:latest`). */
export function presentImageSummary(image: Image): Record<string, unknown> {
  return {
    Containers: -1,
    Created: createdSeconds(image),
    Id: image.id,
    Labels: image.config.config?.Labels ?? null,
    ParentId: '',
    RepoDigests: image.repoDigests.map(familiarizeName),
    RepoTags: image.repoTags.map(familiarizeName),
    SharedSize: -1,
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
