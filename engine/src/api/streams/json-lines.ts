import type { ServerResponse } from 'node:http';

/**
 * NDJSON over a chunked response (pull, push, load, events). Progress lines end in `\r\n` as
 * dockerd's do; a failure after the headers went out is reported in-stream, which is how clients
 * expect it (`{"errorDetail":{"message"},"error"}` with status 200).
 */
export class JsonLinesWriter {
  constructor(
    private readonly response: ServerResponse,
    private readonly lineEnd: '\r\n' | '\n' = '\r\n',
  ) {}

  write(value: unknown): void {
    if (this.response.writableEnded || this.response.destroyed) return;
    this.response.write(`${JSON.stringify(value)}${this.lineEnd}`);
  }

  writeError(message: string): void {
    this.write({ errorDetail: { message }, error: message });
  }

  end(): void {
    if (!this.response.writableEnded) this.response.end();
  }
}
