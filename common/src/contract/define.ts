import type { z } from 'zod';
import type { SerializedError } from './wire.js';

/**
 * Building blocks of the app contract. A contract is a record of services; a service is a record
 * of members. Each member is one of:
 * - `method`: request/response (`containers.start`);
 * - `event`: a broadcast the client subscribes to (`events.onDidChange`), no input;
 * - `stream`: a per-call, cancelable sequence of items that ends (`containers.logs`, `images.pull`).
 * Channel names are derived as `<service>.<member>`; nobody types them by hand.
 */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'method';
  readonly input: I;
  readonly output: O;
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event';
  readonly payload: P;
}

export interface StreamSpec<I extends z.ZodType = z.ZodType, T extends z.ZodType = z.ZodType> {
  readonly kind: 'stream';
  readonly input: I;
  readonly item: T;
}

export type MemberSpec = MethodSpec | EventSpec | StreamSpec;
export type ServiceSpec = Readonly<Record<string, MemberSpec>>;
export type ContractSpec = Readonly<Record<string, ServiceSpec>>;

export const method = <I extends z.ZodType, O extends z.ZodType>(spec: { input: I; output: O }): MethodSpec<I, O> => ({
  kind: 'method',
  ...spec,
});

export const event = <P extends z.ZodType>(payload: P): EventSpec<P> => ({ kind: 'event', payload });

export const stream = <I extends z.ZodType, T extends z.ZodType>(spec: { input: I; item: T }): StreamSpec<I, T> => ({
  kind: 'stream',
  ...spec,
});

/** A channel name such as `containers.start`. */
export type ChannelOf<C extends ContractSpec> = {
  [S in keyof C & string]: `${S}.${keyof C[S] & string}`;
}[keyof C & string];

export interface ChannelEntry {
  readonly channel: string;
  readonly service: string;
  readonly member: string;
  readonly spec: MemberSpec;
}

/** Every channel of a contract, derived from the object keys. */
export function channelsOf(contract: ContractSpec): ChannelEntry[] {
  const entries: ChannelEntry[] = [];
  for (const [service, members] of Object.entries(contract)) {
    for (const [member, spec] of Object.entries(members)) {
      entries.push({ channel: `${service}.${member}`, service, member, spec });
    }
  }
  return entries;
}

/** Looks up a channel; `undefined` for unknown names (never trust a channel string from a client). */
export function findChannel(contract: ContractSpec, channel: string): ChannelEntry | undefined {
  const dot = channel.indexOf('.');
  if (dot <= 0) return undefined;
  const service = channel.slice(0, dot);
  const member = channel.slice(dot + 1);
  if (!Object.hasOwn(contract, service)) return undefined;
  const members = contract[service];
  if (members === undefined || !Object.hasOwn(members, member)) return undefined;
  const spec = members[member];
  return spec === undefined ? undefined : { channel, service, member, spec };
}

// ---- client side -------------------------------------------------------------------------------

/** Removes a subscription; calling it twice is harmless. */
export type Disposer = () => void;

export interface StreamObserver<T> {
  onItem(item: T): void;
  /** Called once when the stream finishes normally. */
  onEnd?(): void;
  /** Called once when the stream fails; `onEnd` is not called then. */
  onError?(error: SerializedError): void;
}

export interface StreamHandle {
  cancel(): void;
}

export type ClientMember<M extends MemberSpec> =
  M extends MethodSpec<infer I, infer O>
    ? (input: z.input<I>) => Promise<z.output<O>>
    : M extends EventSpec<infer P>
      ? (listener: (payload: z.output<P>) => void) => Disposer
      : M extends StreamSpec<infer I, infer T>
        ? (input: z.input<I>, observer: StreamObserver<z.output<T>>) => StreamHandle
        : never;

/** The shape of `window.app`: one function per contract member. */
export type ClientOf<C extends ContractSpec> = {
  readonly [S in keyof C]: { readonly [M in keyof C[S]]: ClientMember<C[S][M]> };
};

// ---- host side ---------------------------------------------------------------------------------

export interface CallContext {
  /** Aborted when the caller goes away (window closed, WebSocket closed, stream canceled). */
  readonly signal: AbortSignal;
}

export type HandlerMember<M extends MemberSpec> =
  M extends MethodSpec<infer I, infer O>
    ? (input: z.output<I>, context: CallContext) => Promise<z.input<O>>
    : M extends EventSpec<infer P>
      ? (emit: (payload: z.input<P>) => void) => Disposer
      : M extends StreamSpec<infer I, infer T>
        ? (input: z.output<I>, context: CallContext) => AsyncIterable<z.input<T>>
        : never;

/** What a host (app-host) implements: handlers receive parsed inputs. */
export type HandlersOf<C extends ContractSpec> = {
  readonly [S in keyof C]: { readonly [M in keyof C[S]]: HandlerMember<C[S][M]> };
};
