import type { FileHandle } from 'node:fs/promises';

/**
 * Writes all of `data` at the handle's position. One write(2) may store only part of a buffer
 * (a nearly full disk does exactly that before it reports ENOSPC), and FileHandle.write reports
 * the count instead of failing: ignoring it silently drops the tail.
 */
export async function writeFully(handle: FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    offset += bytesWritten;
  }
}
