import type { VolumeRecord } from '../../core/volumes/volume.js';

/** Docker's volume object. */
export function presentVolume(
  volume: VolumeRecord,
  mountpoint: string,
  usage?: { size: number; refCount: number },
): Record<string, unknown> {
  return {
    CreatedAt: volume.createdAt,
    Driver: volume.driver,
    Labels: volume.labels,
    Mountpoint: mountpoint,
    Name: volume.name,
    Options: volume.options,
    Scope: 'local',
    // Only `system df` computes usage (walking every volume is not cheap); dockerd leaves it out elsewhere too.
    ...(usage !== undefined ? { UsageData: { Size: usage.size, RefCount: usage.refCount } } : {}),
  };
}
