import type { Readable } from 'node:stream';

export type StdStream = 'stdin' | 'stdout' | 'stderr';

export interface Frame {
  readonly stream: StdStream;
  readonly data: Buffer;
}

const streams: Record<number, StdStream> = { 0: 'stdin', 1: 'stdout', 2: 'stderr' };

/**
 * Splits Docker's multiplexed stdout/stderr stream (8-byte header: stream, 0, 0, 0, size BE32)
 * into frames. Incremental: feed chunks as they arrive.
 */
export class StdcopyDemuxer {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    while (this.#pending.length >= 8) {
      const size = this.#pending.readUInt32BE(4);
      if (this.#pending.length < 8 + size) break;
      const stream = streams[this.#pending[0] ?? 1] ?? 'stdout';
      frames.push({ stream, data: this.#pending.subarray(8, 8 + size) });
      this.#pending = this.#pending.subarray(8 + size);
    }
    return frames;
  }
}

/** Splits text into complete lines per stream, keeping partial lines until the next chunk. */
export class LineSplitter {
  readonly #partial = new Map<StdStream, string>();

  push(stream: StdStream, text: string): string[] {
    const joined = (this.#partial.get(stream) ?? '') + text;
    const parts = joined.split('\n');
    this.#partial.set(stream, parts.pop() ?? '');
    return parts.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  }

  flush(): Array<{ stream: StdStream; text: string }> {
    const rest: Array<{ stream: StdStream; text: string }> = [];
    for (const [stream, text] of this.#partial) if (text !== '') rest.push({ stream, text });
    this.#partial.clear();
    return rest;
  }
}

/** Reads a stream of newline-delimited JSON values (pull progress, events, stats). */
export async function* jsonLines(body: Readable): AsyncGenerator<unknown> {
  let buffered = '';
  for await (const chunk of body) {
    buffered += (chunk as Buffer).toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') yield JSON.parse(line) as unknown;
    }
  }
  if (buffered.trim() !== '') yield JSON.parse(buffered) as unknown;
}
