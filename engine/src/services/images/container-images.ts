import { containerEvent } from '../events/container-event.js';
import { randomBytes } from 'node:crypto';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { conflict } from '@berth/common';
import type { Container } from '../../core/containers/container.js';
import type { RootfsMounter } from '../../core/containers/rootfs-mounter.js';
import type { ImageContainerConfig } from '../../core/images/image-config.js';
import type { Image } from '../../core/images/image.js';
import type { ImageService } from '../../core/images/image-service.js';
import type { DirectoryArchiver, FileChange, Snapshotter } from '../../core/snapshots/snapshotter.js';
import type { Logger } from '../../lib/logger.js';
import type { ImageEventSink } from './image-events.js';

/** What commit, diff and export need from the container side (ContainerService provides it). */
export interface ContainerAccess {
  get(reference: string): Container;
  pause(reference: string): Promise<void>;
  unpause(reference: string): Promise<void>;
}

export interface ContainerImagesOptions {
  containers: ContainerAccess;
  images: ImageService;
  snapshotter: Snapshotter;
  mounter: RootfsMounter;
  archiver: DirectoryArchiver;
  /** `<dataRoot>/containers`: a container's rootfs is mounted at `<id>/rootfs` while it runs. */
  containersDir: string;
  /** Where the container's `commit` event goes. */
  events: ImageEventSink;
  logger: Logger;
}

export interface ContainerCommitOptions {
  reference?: string;
  comment?: string;
  author?: string;
  changes?: string[];
  /** Pause a running container while its layer is read (default true, as dockerd). */
  pause?: boolean;
  /** Config fields from the request body, merged over the container's. */
  config?: ImageContainerConfig;
  signal?: AbortSignal;
}

/** The container operations that produce images or read a container's filesystem: commit, diff, export. */
export class ContainerImages {
  constructor(private readonly options: ContainerImagesOptions) {}

  async commit(reference: string, request: ContainerCommitOptions): Promise<Image> {
    const { containers, images } = this.options;
    const container = containers.get(reference);
    if (container.state.status === 'removing')
      throw conflict(`You cannot commit container ${container.id} which is being removed`);
    const pause = (request.pause ?? true) && container.state.status === 'running';
    if (pause) await containers.pause(container.id);
    try {
      const image = await images.commit({
        containerId: container.id,
        snapshotKey: container.snapshotKey,
        imageId: container.imageId,
        containerConfig: { ...(container.config as ImageContainerConfig), ...(request.config ?? {}) },
        ...(request.reference !== undefined ? { reference: request.reference } : {}),
        ...(request.comment !== undefined ? { comment: request.comment } : {}),
        ...(request.author !== undefined ? { author: request.author } : {}),
        ...(request.changes !== undefined ? { changes: request.changes } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      // dockerd's container `commit` event: the container's attributes plus what it became.
      this.options.events.publish(
        containerEvent(container, 'commit', {
          comment: request.comment ?? '',
          imageID: image.id,
          imageRef: request.reference ?? '',
        }),
      );
      return image;
    } finally {
      if (pause) await containers.unpause(container.id).catch(() => undefined);
    }
  }

  async changes(reference: string): Promise<FileChange[]> {
    const container = this.options.containers.get(reference);
    return this.options.snapshotter.changes(container.snapshotKey);
  }

  /**
   * The merged root filesystem as a tar. A running (mounted) container is read through its mount;
   * otherwise a read-only view is mounted beside it for the duration of the stream.
   */
  async export(reference: string, signal?: AbortSignal): Promise<Readable> {
    const { containers, mounter, archiver, snapshotter, containersDir } = this.options;
    const container = containers.get(reference);
    const rootfs = join(containersDir, container.id, 'rootfs');
    if (await mounter.isMounted(rootfs)) return archiver.pack(rootfs, signal);
    const view = join(containersDir, container.id, `export-${randomBytes(6).toString('hex')}`);
    await mounter.mount(await snapshotter.viewMounts(container.snapshotKey), view);
    let tar: Readable;
    try {
      tar = archiver.pack(view, signal);
    } catch (error) {
      await this.release(view);
      throw error;
    }
    tar.once('close', () => void this.release(view));
    return tar;
  }

  private async release(view: string): Promise<void> {
    try {
      await this.options.mounter.unmount(view);
      await rmdir(view);
    } catch (error) {
      this.options.logger.warn({ view, err: error }, 'could not remove export view');
    }
  }
}
