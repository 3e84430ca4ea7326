import { open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** fsyncs a directory so a rename or unlink inside it survives a crash. */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface AtomicWriteOptions {
  /**
   * false: skip both fsyncs. For files that describe this boot only (a running task, a veth):
   * after a host crash there is nothing left for them to describe, so only the engine crashing
   * matters, and the rename alone covers that (the page cache outlives the process).
   */
  durable?: boolean;
}

/** Writes a file via temp + fsync + rename + directory fsync: readers see the old or the new content, never a mix. */
export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  mode = 0o644,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const durable = options.durable !== false;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (durable) await fsyncDirectory(dirname(path));
}
