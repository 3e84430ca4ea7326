import { invalidArgument } from '@berth/common';

/** ctrl-p ctrl-q, dockerd's default. */
export const defaultDetachKeys: readonly number[] = [0x10, 0x11];

/**
 * Docker's detach key syntax (`ctrl-p,ctrl-q`, `a,ctrl-@`): comma-separated single characters or
 * `ctrl-X` with X in a-z, @, [, \, ], ^, _. Empty means the default. Returns undefined for bad input.
 */
export function parseDetachKeys(spec: string | undefined | null): number[] | undefined {
  if (spec === undefined || spec === null || spec === '') return [...defaultDetachKeys];
  const codes: number[] = [];
  for (const key of spec.split(',')) {
    if (key.length === 1) {
      codes.push(key.charCodeAt(0));
      continue;
    }
    const lower = key.toLowerCase();
    if (!lower.startsWith('ctrl-') || lower.length !== 6) return undefined;
    const char = lower.charAt(5);
    if (char >= 'a' && char <= 'z') codes.push(char.charCodeAt(0) - 0x60);
    else if (char === '@') codes.push(0);
    else if ('[\\]^_'.includes(char)) codes.push(char.charCodeAt(0) - 0x40);
    else return undefined;
  }
  return codes;
}

/** parseDetachKeys for a request: invalid keys are a 400 with dockerd's wording. */
export function requireDetachKeys(spec: string | undefined | null, what: 'detach' | 'escape'): number[] {
  const keys = parseDetachKeys(spec);
  if (keys === undefined) throw invalidArgument(`Invalid ${what} keys (${spec ?? ''}) provided`);
  return keys;
}

/**
 * Watches a client's input for the detach sequence, as dockerd's escape proxy does: bytes that
 * could start the sequence are held back until it is clear whether they complete it; a complete
 * sequence is swallowed and reported, anything else is passed through unchanged.
 */
export class DetachKeyFilter {
  private held: number[] = [];
  private detached = false;

  constructor(private readonly keys: readonly number[]) {}

  /** Returns the bytes to forward and whether the sequence has now been typed (input after it is dropped). */
  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    if (this.detached) return { forward: Buffer.alloc(0), detach: false };
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    const out: number[] = [];
    // Fast path: no held bytes and no byte that could start the sequence.
    if (this.held.length === 0 && !chunk.includes(this.keys[0] ?? -1)) return { forward: chunk, detach: false };
    for (const byte of chunk) {
      if (byte === this.keys[this.held.length]) {
        this.held.push(byte);
        if (this.held.length === this.keys.length) {
          this.detached = true;
          this.held = [];
          return { forward: Buffer.from(out), detach: true };
        }
        continue;
      }
      if (this.held.length > 0) {
        out.push(...this.held);
        this.held = [];
      }
      // The mismatching byte may itself begin the sequence.
      if (byte === this.keys[0]) {
        this.held.push(byte);
        if (this.keys.length === 1) {
          this.detached = true;
          return { forward: Buffer.from(out), detach: true };
        }
      } else out.push(byte);
    }
    return { forward: Buffer.from(out), detach: false };
  }

  /** Input ended: bytes held as a possible prefix belong to the stream after all. */
  flush(): Buffer {
    const rest = Buffer.from(this.held);
    this.held = [];
    return rest;
  }
}
