import type { VolumeRecord } from '../../core/volumes/volume.js';

/** Docker's volume object. */
export function presentVolume(volume: VolumeRecord, mountpoint: string): Record<string, unknown> {
  return {
    CreatedAt: volume.createdAt,
    Driver: volume.driver,
    Labels: volume.labels,
    Mountpoint: mountpoint,
    Name: volume.name,
    Options: volume.options,
    Scope: 'local',
  };
}
