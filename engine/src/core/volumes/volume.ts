/** A named (or anonymous) volume of the `local` driver: a directory under the data root. */
export interface VolumeRecord {
  name: string;
  driver: 'local';
  /** ISO timestamp. */
  createdAt: string;
  labels: Record<string, string> | null;
  options: Record<string, string> | null;
  /** Created for an image `VOLUME` or an unnamed `-v /path`: removed with its `--rm` container. */
  anonymous: boolean;
}

/** A volume mounted into a container (which one, where), kept so restarts reuse anonymous volumes. */
export interface VolumeUse {
  containerId: string;
  destination: string;
  volumeName: string;
  /** The container removes its anonymous volumes when it goes (`--rm`). */
  removeWithContainer: boolean;
}

/** Durable volume records and uses. Every call is atomic. */
export interface VolumeStore {
  list(): VolumeRecord[];
  get(name: string): VolumeRecord | undefined;
  insert(volume: VolumeRecord): void;
  delete(name: string): void;
  listUses(filter?: { containerId?: string; volumeName?: string }): VolumeUse[];
  putUse(use: VolumeUse): void;
  deleteUses(containerId: string): void;
}

/** Where a volume's files live and how they get there (the `local` driver). */
export interface VolumeDriver {
  /** Creates the volume's directory; returns its mount point (`.../volumes/<name>/_data`). */
  create(name: string): Promise<string>;
  remove(name: string): Promise<void>;
  mountpoint(name: string): string;
  /** Whether the volume holds no files yet (it is seeded from the image then). */
  isEmpty(name: string): Promise<boolean>;
  /** Copies a directory tree into the volume, keeping owners, modes, links and times. */
  seed(name: string, source: string): Promise<void>;
  /** Bytes used (for prune's SpaceReclaimed). */
  size(name: string): Promise<number>;
  /** Mounts a volume created with options (`type`, `device`, `o`) at its mount point, unless it already is. */
  mount(name: string, options: Record<string, string>): Promise<void>;
  /** Unmounts such a volume (nothing when it is not mounted). */
  unmount(name: string): Promise<void>;
}
