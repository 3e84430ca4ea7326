import { closeSync, openSync, readSync } from 'node:fs';

/** One buffer for every read: reads are synchronous, so they never overlap. */
let shared = Buffer.allocUnsafe(64 * 1024);

/**
 * A kernel-generated file (cgroupfs, procfs) kept open and re-read from offset 0. The kernel
 * regenerates seq_file content on every read at offset 0, so one pread(2) per sample replaces
 * open/fstat/read/close. Reads are synchronous on purpose: these files live in memory, answer in
 * microseconds, and a thread-pool round trip per file would cost far more CPU than the read.
 */
export class ReopenableFile {
  private fd: number | undefined;
  private absent = false;

  constructor(readonly path: string) {}

  /** The whole content; throws (ENOENT, ENODEV, ESRCH) when the file or its owner has gone. */
  read(): string {
    this.fd ??= openSync(this.path, 'r');
    let length = readSync(this.fd, shared, 0, shared.length, 0);
    // seq_file fills the buffer as far as it can; a full buffer means the file may be longer.
    while (length === shared.length) {
      const larger = Buffer.allocUnsafe(shared.length * 2);
      shared.copy(larger, 0, 0, length);
      shared = larger;
      length += readSync(this.fd, shared, length, shared.length - length, length);
    }
    return shared.toString('latin1', 0, length);
  }

  /**
   * Like read(), but undefined when the file does not exist: a file this kernel or controller set
   * does not have. Remembered, so a missing file costs one failed open, not one per sample.
   */
  readOptional(): string | undefined {
    if (this.absent) return undefined;
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        this.absent = true;
        return undefined;
      }
    }
    return this.read();
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
