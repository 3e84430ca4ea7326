import { AppError } from '@berth/common';
import {
  findChannel,
  serializeError,
  type ContractSpec,
  type Disposer,
  type HandlersOf,
  type SerializedError,
} from '@berth/common/contract';
import type { z } from 'zod';

export type InvokeResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length === 0 ? 'input' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
}

type AnyFn = (...args: never[]) => unknown;

/**
 * Transport-agnostic server side of the contract: looks a channel up (unknown → error), validates
 * the input with the contract schema, runs the handler, validates what goes back, and turns every
 * failure into `{kind, message}`. Electron IPC and the web server are thin shells around it.
 */
export class ContractDispatcher<C extends ContractSpec> {
  readonly #contract: C;
  readonly #handlers: HandlersOf<C>;

  constructor(contract: C, handlers: HandlersOf<C>) {
    this.#contract = contract;
    this.#handlers = handlers;
  }

  #handler(service: string, member: string): AnyFn {
    const group = (this.#handlers as Record<string, Record<string, AnyFn> | undefined>)[service];
    const handler = group?.[member];
    if (handler === undefined) throw new AppError('not-implemented', `${service}.${member} is not implemented`);
    return handler;
  }

  async invoke(channel: string, rawInput: unknown, signal: AbortSignal): Promise<InvokeResult> {
    try {
      const entry = findChannel(this.#contract, channel);
      if (entry === undefined || entry.spec.kind !== 'method') throw new AppError('not-found', `unknown method "${channel}"`);
      const input = entry.spec.input.safeParse(rawInput ?? {});
      if (!input.success) throw new AppError('invalid-argument', `invalid input for ${channel}: ${zodMessage(input.error)}`);
      const handler = this.#handler(entry.service, entry.member) as (
        input: unknown,
        ctx: { signal: AbortSignal },
      ) => Promise<unknown>;
      const result = await handler(input.data, { signal });
      const output = entry.spec.output.safeParse(result);
      if (!output.success)
        throw new AppError('internal', `engine answer for ${channel} did not match the contract: ${zodMessage(output.error)}`);
      return { ok: true, value: output.data };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  }

  /** Subscribes to an event channel. Throws AppError for unknown channels. */
  subscribe(channel: string, listener: (payload: unknown) => void): Disposer {
    const entry = findChannel(this.#contract, channel);
    if (entry === undefined || entry.spec.kind !== 'event') throw new AppError('not-found', `unknown event "${channel}"`);
    const schema = entry.spec.payload;
    const handler = this.#handler(entry.service, entry.member) as (emit: (payload: unknown) => void) => Disposer;
    return handler((payload) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) listener(parsed.data);
    });
  }

  /**
   * Opens a stream. Input errors throw before the first item (as AppError); handler errors surface
   * from the iterator. Items are validated against the contract.
   */
  openStream(channel: string, rawInput: unknown, signal: AbortSignal): AsyncIterable<unknown> {
    const entry = findChannel(this.#contract, channel);
    if (entry === undefined || entry.spec.kind !== 'stream') throw new AppError('not-found', `unknown stream "${channel}"`);
    const input = entry.spec.input.safeParse(rawInput ?? {});
    if (!input.success) throw new AppError('invalid-argument', `invalid input for ${channel}: ${zodMessage(input.error)}`);
    const itemSchema = entry.spec.item;
    const handler = this.#handler(entry.service, entry.member) as (
      input: unknown,
      ctx: { signal: AbortSignal },
    ) => AsyncIterable<unknown>;
    const source = handler(input.data, { signal });
    return {
      async *[Symbol.asyncIterator]() {
        for await (const item of source) {
          if (signal.aborted) return;
          const parsed = itemSchema.safeParse(item);
          if (!parsed.success)
            throw new AppError('internal', `stream item for ${channel} did not match the contract: ${zodMessage(parsed.error)}`);
          yield parsed.data;
        }
      },
    };
  }
}
