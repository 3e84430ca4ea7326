import type { Digest } from '../../lib/digest.js';

/** The container defaults an image carries (`config` in the OCI/Docker image config JSON). */
export interface ImageContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    StartPeriod?: number;
    Retries?: number;
  };
  OnBuild?: string[] | null;
  Shell?: string[];
}

export interface ImageHistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The OCI / Docker image configuration blob; its sha256 digest is the image ID. */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: ImageContainerConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: ImageHistoryEntry[];
  /** Docker-specific fields kept for `image inspect`. */
  container?: string;
  container_config?: ImageContainerConfig;
  docker_version?: string;
  comment?: string;
}
