/** A set of keys (blob digests, snapshot chain IDs) held alive until released. */
export interface Lease {
  add(...keys: string[]): void;
  release(): void;
}

/**
 * In-flight protection for garbage collection, containerd style: a pull leases the blobs and chain
 * IDs it is about to use before the image record exists, and removal or GC skip leased keys.
 */
export class ContentLeases {
  private readonly counts = new Map<string, number>();

  lease(): Lease {
    const held: string[] = [];
    let released = false;
    return {
      add: (...keys) => {
        if (released) return;
        for (const key of keys) {
          this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
          held.push(key);
        }
      },
      release: () => {
        if (released) return;
        released = true;
        for (const key of held) {
          const left = (this.counts.get(key) ?? 1) - 1;
          if (left <= 0) this.counts.delete(key);
          else this.counts.set(key, left);
        }
      },
    };
  }

  isLeased(key: string): boolean {
    return this.counts.has(key);
  }

  /** How many leases hold `key` (a pull that holds it itself sees 1 when nobody else does). */
  holders(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
