import type { LogLine } from '@berth/common/contract';

/** A stored log line: ANSI escapes kept for display, `plain` (escapes removed) for search. */
export interface StoredLine {
  readonly seq: number;
  readonly stream: LogLine['stream'];
  readonly text: string;
  readonly plain: string;
  readonly timestamp?: string;
}

const CHUNK = 4096;

/**
 * Log lines in fixed-size chunks: appending writes into the last chunk and dropping the oldest
 * lines drops whole chunks, so no operation copies the whole history (1,000,000 lines stay cheap).
 * Lines are addressed by index (0 = oldest kept) or by their sequence number, which never changes.
 */
export class LogBuffer {
  readonly #capacity: number;
  #chunks: StoredLine[][] = [];
  #length = 0;
  #nextSeq = 0;
  #stderr = 0;

  constructor(capacity = 1_000_000) {
    this.#capacity = Math.max(CHUNK, capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** Sequence number of the oldest kept line. */
  get firstSeq(): number {
    return this.#chunks[0]?.[0]?.seq ?? this.#nextSeq;
  }

  get stderrCount(): number {
    return this.#stderr;
  }

  /** Appends lines; returns the stored lines (for incremental filtering). */
  append(lines: readonly LogLine[], strip: (text: string) => string): StoredLine[] {
    const added: StoredLine[] = [];
    for (const line of lines) {
      let last = this.#chunks[this.#chunks.length - 1];
      if (last === undefined || last.length >= CHUNK) {
        last = [];
        this.#chunks.push(last);
      }
      const stored: StoredLine = {
        seq: this.#nextSeq++,
        stream: line.stream,
        text: line.text,
        plain: strip(line.text),
        ...(line.timestamp !== undefined ? { timestamp: line.timestamp } : {}),
      };
      last.push(stored);
      added.push(stored);
      if (line.stream === 'stderr') this.#stderr++;
    }
    this.#length += lines.length;
    while (this.#length - (this.#chunks[0]?.length ?? 0) >= this.#capacity && this.#chunks.length > 1) {
      const dropped = this.#chunks.shift() ?? [];
      this.#length -= dropped.length;
      for (const line of dropped) if (line.stream === 'stderr') this.#stderr--;
    }
    return added;
  }

  at(index: number): StoredLine | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    const first = this.#chunks[0]?.length ?? 0;
    if (index < first) return this.#chunks[0]?.[index];
    const rest = index - first;
    return this.#chunks[1 + Math.floor(rest / CHUNK)]?.[rest % CHUNK];
  }

  bySeq(seq: number): StoredLine | undefined {
    return this.at(seq - this.firstSeq);
  }

  clear(): void {
    this.#chunks = [];
    this.#length = 0;
    this.#stderr = 0;
  }

  *[Symbol.iterator](): IterableIterator<StoredLine> {
    for (const chunk of this.#chunks) yield* chunk;
  }
}

/**
 * Sequence numbers of the lines that match a filter, grown as lines arrive. Lines dropped from the
 * buffer are skipped by an offset instead of shifting the array.
 */
export class MatchIndex {
  #seqs: number[] = [];
  #start = 0;

  get length(): number {
    return this.#seqs.length - this.#start;
  }

  push(seq: number): void {
    this.#seqs.push(seq);
  }

  /** Forgets matches older than `firstSeq`; compacts once the dead prefix is large. */
  trim(firstSeq: number): void {
    while (this.#start < this.#seqs.length && (this.#seqs[this.#start] ?? 0) < firstSeq) this.#start++;
    if (this.#start > 65_536 && this.#start * 2 > this.#seqs.length) {
      this.#seqs = this.#seqs.slice(this.#start);
      this.#start = 0;
    }
  }

  at(index: number): number | undefined {
    return this.#seqs[this.#start + index];
  }
}
