import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Digest } from '../../lib/digest.js';

/** Passes bytes through while computing their sha256 and length (the diff ID of a tar being produced). */
export class DigestTap extends Transform {
  private readonly hash = createHash('sha256');
  private result: Digest | undefined;
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** The digest of everything that passed; call once the stream has ended. */
  digest(): Digest {
    this.result ??= `sha256:${this.hash.digest('hex')}`;
    return this.result;
  }
}
