import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LogEntry, LogReadOptions } from '../../core/logs/log-entry.js';
import { parseK8sFileRecord } from './k8s-file-format.js';
import { rotatedLogPaths } from './k8s-file-rotation.js';
import { PartialLineJoiner } from './partial-lines.js';

const readChunk = 256 * 1024;

/** Reads one file from a position, record by record; remembers where it stopped. */
class LogFileCursor {
  position = 0;
  private carry = Buffer.alloc(0);
  private readonly buffer = Buffer.allocUnsafe(readChunk);

  constructor(readonly handle: FileHandle) {}

  /** Reads what the file holds now; returns whether there was anything new. */
  async drain(onRecord: (entry: LogEntry) => Promise<void>, signal: AbortSignal): Promise<boolean> {
    const { size } = await this.handle.stat();
    if (size < this.position) {
      // Truncated in place: start again from the top.
      this.position = 0;
      this.carry = Buffer.alloc(0);
    }
    let any = false;
    while (this.position < size && !signal.aborted) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, Math.min(readChunk, size - this.position), this.position);
      if (bytesRead === 0) break;
      any = true;
      this.position += bytesRead;
      const chunk = this.buffer.subarray(0, bytesRead);
      const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
      let start = 0;
      for (let newline = data.indexOf(0x0a, start); newline !== -1; newline = data.indexOf(0x0a, start)) {
        const entry = parseK8sFileRecord(data.subarray(start, newline));
        start = newline + 1;
        // A partial record's data is a view of the reused read buffer: copy it.
        if (entry !== undefined) await onRecord(entry.partial ? { ...entry, data: Buffer.from(entry.data) } : entry);
      }
      // Copy: the read buffer is reused.
      this.carry = Buffer.from(data.subarray(start));
    }
    return any;
  }
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function inodeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
}

/**
 * Reads a container log written by conmon: the rotated files oldest first (`<path>.N` ...
 * `<path>.1`), then the live file, optionally following it as it grows and across rotations.
 * Lines the monitor split into partial records are put back together. Entries are handed to
 * `emit` in order; `emit` may return a promise to apply back-pressure.
 */
export async function readK8sFileLog(
  path: string,
  options: LogReadOptions,
  emit: (entry: LogEntry) => void | Promise<void>,
): Promise<void> {
  const joiner = new PartialLineJoiner();
  // With `tail`, the existing log is read into a bounded buffer first; new entries go straight out.
  let tailBuffer: LogEntry[] | undefined = options.tail !== undefined && options.tail >= 0 ? [] : undefined;

  const accept = async (entry: LogEntry): Promise<void> => {
    if (options.sinceNano !== undefined && entry.timeNano < options.sinceNano) return;
    if (options.untilNano !== undefined && entry.timeNano >= options.untilNano) return;
    if (tailBuffer !== undefined) {
      tailBuffer.push(entry);
      if (tailBuffer.length > (options.tail ?? 0)) tailBuffer.shift();
      return;
    }
    await emit(entry);
  };
  const onRecord = async (record: LogEntry): Promise<void> => {
    for (const entry of joiner.push(record)) await accept(entry);
  };
  const flushPartials = async (): Promise<void> => {
    for (const entry of joiner.flush()) await accept(entry);
  };

  // Everything is opened before reading, so a rotation meanwhile neither skips nor repeats a file.
  const rotated: FileHandle[] = [];
  for (const rotatedPath of await rotatedLogPaths(path)) {
    const handle = await openIfExists(rotatedPath);
    if (handle !== undefined) rotated.push(handle);
  }
  let current = await openIfExists(path);
  try {
    for (const handle of rotated) await new LogFileCursor(handle).drain(onRecord, options.signal);
  } finally {
    for (const handle of rotated) await handle.close();
  }
  let cursor = current !== undefined ? new LogFileCursor(current) : undefined;
  try {
    if (cursor !== undefined) await cursor.drain(onRecord, options.signal);
    if (!options.follow) await flushPartials();
    if (tailBuffer !== undefined) {
      const buffered = tailBuffer;
      tailBuffer = undefined;
      for (const entry of buffered) await emit(entry);
    }
    if (!options.follow) return;

    let watcher: FSWatcher | undefined;
    let wake: (() => void) | undefined;
    let finishSignalled = false;
    const onAbort = (): void => wake?.();
    options.signal.addEventListener('abort', onAbort);
    // Clients such as docker-compose expect the stream to end as the container stops, not a poll later.
    void options.finished?.then(
      () => {
        finishSignalled = true;
        wake?.();
      },
      () => undefined,
    );
    try {
      try {
        // The directory, not the file: a rotation replaces the file.
        watcher = watch(dirname(path), () => wake?.());
        watcher.on('error', () => undefined);
      } catch {
        watcher = undefined;
      }
      while (!options.signal.aborted) {
        // Read the finished flag before draining so output written just before exit is not missed.
        const finished = options.isFinished();
        let grew = cursor !== undefined ? await cursor.drain(onRecord, options.signal) : false;
        // A new file at the path means the monitor closed the old one (it reopens after a rotation):
        // what is left in the old one is final, then the new one is read from its start.
        const inode = await inodeOf(path);
        if (inode !== undefined && (cursor === undefined || inode !== (await cursor.handle.stat()).ino)) {
          if (cursor !== undefined) {
            await cursor.drain(onRecord, options.signal);
            await cursor.handle.close();
          }
          current = await openIfExists(path);
          cursor = current !== undefined ? new LogFileCursor(current) : undefined;
          if (cursor !== undefined) grew = (await cursor.drain(onRecord, options.signal)) || grew;
        }
        // A line still unfinished after a quiet spell goes out as it is (a prompt without newline).
        if (!grew || finished) await flushPartials();
        if (finished) break;
        // The container stopped while this pass ran: look again at once.
        if (finishSignalled && options.isFinished()) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 250);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      watcher?.close();
    }
  } finally {
    await cursor?.handle.close();
  }
}
