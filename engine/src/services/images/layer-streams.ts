import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { AppError } from '@berth/common';
import type { Digest } from '../../lib/digest.js';

const gzipMagic = Buffer.from([0x1f, 0x8b]);
const zstdMagic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/**
 * The decompressor for a layer blob, chosen by its first bytes (gzip, zstd, or a plain tar) rather
 * than by media type alone: registries in the wild mislabel layers.
 */
export function decompressorFor(head: Buffer): Transform {
  // Large output chunks: fewer thread-pool round trips, so decompression runs ahead of the unpacker.
  if (head.subarray(0, 2).equals(gzipMagic)) return createGunzip({ chunkSize: 1 << 20 });
  if (head.subarray(0, 4).equals(zstdMagic)) return zstdTransform();
  return new Transform({ transform: (chunk: Buffer, _encoding, callback) => callback(null, chunk) });
}

/** The first bytes of a stream (at most one chunk), then destroys it. */
export async function readHead(stream: NodeJS.ReadableStream & { destroy(): void }): Promise<Buffer> {
  for await (const chunk of stream) {
    stream.destroy();
    return Buffer.from(chunk as Buffer);
  }
  return Buffer.alloc(0);
}

function zstdTransform(): Transform {
  let output: Uint8Array[] = [];
  const decompress = new Decompress((data) => {
    output.push(data);
  });
  const drain = (stream: Transform) => {
    for (const data of output) stream.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    output = [];
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decompress.push(new Uint8Array(chunk));
        drain(this);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        decompress.push(new Uint8Array(0), true);
        drain(this);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

/**
 * Passes bytes through while hashing them; fails at the end (before downstream sees EOF) when the
 * sha256 differs from `expected`, so a consumer that commits on EOF never commits unverified data.
 */
export class DigestVerifier extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(
    private readonly expected: Digest,
    private readonly describe: (actual: Digest) => string,
  ) {
    // Buffers several MB so decompression is not paced by the unpacker's per-entry file I/O.
    super({ highWaterMark: 8 << 20 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = `sha256:${this.hash.digest('hex')}` as Digest;
    if (actual !== this.expected) callback(new AppError('invalid-argument', this.describe(actual)));
    else callback();
  }
}

/** Counts bytes flowing through and reports them (for Extracting progress). */
export class ByteCounter extends Transform {
  bytes = 0;

  constructor(private readonly onBytes: (total: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes(this.bytes);
    callback(null, chunk);
  }
}
