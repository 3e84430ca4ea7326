/**
 * The most recent terminal output, bounded by characters: what a renderer that reattaches (after a
 * reload) sees before live output resumes. Old chunks fall off the front whole, so nothing is copied
 * per write; the first kept chunk is cut when it alone would exceed the bound.
 */
export class OutputRing {
  readonly #limit: number;
  #chunks: string[] = [];
  #size = 0;

  constructor(limitChars: number) {
    this.#limit = limitChars;
  }

  push(text: string): void {
    if (text === '') return;
    this.#chunks.push(text);
    this.#size += text.length;
    let drop = 0;
    while (this.#size > this.#limit && drop < this.#chunks.length - 1) {
      this.#size -= (this.#chunks[drop] ?? '').length;
      drop++;
    }
    if (drop > 0) this.#chunks = this.#chunks.slice(drop);
    if (this.#size > this.#limit) {
      const only = this.#chunks[0] ?? '';
      this.#chunks = [only.slice(only.length - this.#limit)];
      this.#size = this.#limit;
    }
  }

  get size(): number {
    return this.#size;
  }

  toString(): string {
    return this.#chunks.join('');
  }
}
