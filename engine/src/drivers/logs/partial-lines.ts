import type { LogEntry } from '../../core/logs/log-entry.js';

/** A line longer than this is handed out in pieces even when reassembling (bounds memory on binary output). */
export const maxReassembledLine = 1024 * 1024;

/**
 * Puts lines back together that the monitor split into partial records (conmon writes a `P`
 * record per read of a long line, at most 8 KiB each), per stream, so `docker logs` shows one
 * line with the time of its first piece.
 */
export class PartialLineJoiner {
  private readonly pending = new Map<LogEntry['stream'], { first: LogEntry; pieces: Buffer[]; size: number }>();

  /** Returns the complete entries this record finishes (zero or one, or one oversized piece). */
  push(entry: LogEntry): LogEntry[] {
    const open = this.pending.get(entry.stream);
    if (!entry.partial) {
      if (open === undefined) return [entry];
      this.pending.delete(entry.stream);
      return [{ ...open.first, data: Buffer.concat([...open.pieces, entry.data]), partial: false }];
    }
    if (open === undefined) {
      this.pending.set(entry.stream, { first: entry, pieces: [entry.data], size: entry.data.length });
      return [];
    }
    open.pieces.push(entry.data);
    open.size += entry.data.length;
    if (open.size < maxReassembledLine) return [];
    this.pending.delete(entry.stream);
    return [{ ...open.first, data: Buffer.concat(open.pieces), partial: true }];
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Hands out unfinished lines as they are (the output ended without their newline). */
  flush(): LogEntry[] {
    const rest = [...this.pending.values()]
      .map((open) => ({ ...open.first, data: Buffer.concat(open.pieces), partial: true }))
      .sort((a, b) => (a.timeNano < b.timeNano ? -1 : a.timeNano > b.timeNano ? 1 : 0));
    this.pending.clear();
    return rest;
  }
}
