/**
 * The ONLY module that touches a transport. In Electron the preload exposes `window.app` (built from
 * the contract); in web mode we build the same `AppApi` over fetch (methods) and one multiplexed
 * WebSocket (events and streams). Tests call `setAppApi(fake)`.
 */
import {
  channelsOf,
  contract,
  HostStreamMessage,
  MethodResponse,
  type AppApi,
  type ClientStreamMessage,
  type Disposer,
  type SerializedError,
  type StreamHandle,
  type StreamObserver,
} from '@berth/common/contract';
import type { ErrorKind } from '@berth/common';

declare global {
  interface Window {
    /** Exposed by the Electron preload through contextBridge. */
    readonly app?: AppApi;
  }
}

/** An error from the host or engine, as shown to the user. */
export class AppApiError extends Error {
  readonly kind: ErrorKind;
  constructor(error: SerializedError) {
    super(error.message);
    this.name = 'AppApiError';
    this.kind = error.kind;
  }
}

/** Plain words for any error value (contextBridge turns errors into plain objects). */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

export function errorKind(error: unknown): ErrorKind | undefined {
  const kind = (error as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? (kind as ErrorKind) : undefined;
}

let current: AppApi | undefined;

export function getAppApi(): AppApi {
  current ??= window.app ?? createWebClient();
  return current;
}

/** For tests (and storybook-like previews): swap the transport. */
export function setAppApi(api: AppApi | undefined): void {
  current = api;
}

// ---- web transport ----------------------------------------------------------------------------

const lostHost: SerializedError = {
  kind: 'unavailable',
  message: 'Lost connection to the Berth web host. Is `berth web` still running?',
};

type Pending =
  | { readonly kind: 'event'; readonly channel: string; readonly listener: (payload: unknown) => void }
  | { readonly kind: 'stream'; readonly channel: string; readonly input: unknown; readonly observer: StreamObserver<unknown> };

class SocketMux {
  #socket: WebSocket | undefined;
  #nextId = 1;
  #retryMs = 500;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #active = new Map<number, Pending>();
  readonly #onConnectionChange: (up: boolean) => void;

  constructor(onConnectionChange: (up: boolean) => void) {
    this.#onConnectionChange = onConnectionChange;
  }

  subscribe(channel: string, listener: (payload: unknown) => void): Disposer {
    const id = this.#nextId++;
    this.#active.set(id, { kind: 'event', channel, listener });
    this.#send({ type: 'subscribe', id, channel });
    return () => this.#cancel(id);
  }

  stream(channel: string, input: unknown, observer: StreamObserver<unknown>): StreamHandle {
    const id = this.#nextId++;
    this.#active.set(id, { kind: 'stream', channel, input, observer });
    this.#send({ type: 'stream', id, channel, input });
    return { cancel: () => this.#cancel(id) };
  }

  #cancel(id: number): void {
    if (!this.#active.delete(id)) return;
    this.#send({ type: 'cancel', id });
  }

  #send(message: ClientStreamMessage): void {
    const socket = this.#ensureSocket();
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    // Otherwise 'open' replays everything still active.
  }

  #ensureSocket(): WebSocket {
    if (this.#socket !== undefined && this.#socket.readyState <= WebSocket.OPEN) return this.#socket;
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${protocol}//${location.host}/api/ws`);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#retryMs = 500;
      this.#onConnectionChange(true);
      for (const [id, pending] of this.#active) {
        const message: ClientStreamMessage =
          pending.kind === 'event'
            ? { type: 'subscribe', id, channel: pending.channel }
            : { type: 'stream', id, channel: pending.channel, input: pending.input };
        socket.send(JSON.stringify(message));
      }
    });
    socket.addEventListener('message', (event: MessageEvent) => this.#receive(event.data));
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      // Streams cannot resume transparently; events re-subscribe on reconnect.
      for (const [id, pending] of this.#active) {
        if (pending.kind === 'stream') {
          this.#active.delete(id);
          pending.observer.onError?.(lostHost);
        }
      }
      this.#onConnectionChange(false);
      if ([...this.#active.values()].some((p) => p.kind === 'event') && this.#timer === undefined) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#ensureSocket();
        }, this.#retryMs);
        this.#retryMs = Math.min(this.#retryMs * 2, 10_000);
      }
    });
    return socket;
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let parsed;
    try {
      parsed = HostStreamMessage.safeParse(JSON.parse(data));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const message = parsed.data;
    const pending = this.#active.get(message.id);
    if (pending === undefined) return;
    switch (message.type) {
      case 'event':
        if (pending.kind === 'event') pending.listener(message.payload);
        return;
      case 'item':
        if (pending.kind === 'stream') pending.observer.onItem(message.item);
        return;
      case 'end':
        this.#active.delete(message.id);
        if (pending.kind === 'stream') pending.observer.onEnd?.();
        return;
      case 'error':
        this.#active.delete(message.id);
        if (pending.kind === 'stream') pending.observer.onError?.(message.error);
        return;
    }
  }
}

async function callMethod(channel: string, input: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`/api/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input ?? {}),
      credentials: 'same-origin',
    });
  } catch {
    throw new AppApiError(lostHost);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new AppApiError({ kind: 'internal', message: `web host answered HTTP ${response.status} without JSON` });
  }
  const parsed = MethodResponse.safeParse(body);
  if (!parsed.success) throw new AppApiError({ kind: 'internal', message: 'web host sent a malformed response' });
  if (!parsed.data.ok) throw new AppApiError(parsed.data.error);
  return parsed.data.value === null ? undefined : parsed.data.value;
}

/** Builds an AppApi over HTTP + WebSocket, generically from the contract (no per-method code). */
export function createWebClient(): AppApi {
  const statusListeners = new Set<(payload: unknown) => void>();
  const mux = new SocketMux((up) => {
    if (!up)
      for (const listener of statusListeners) listener({ state: 'unreachable', host: location.host, message: lostHost.message });
  });
  const api: Record<string, Record<string, unknown>> = {};
  for (const entry of channelsOf(contract)) {
    const service = (api[entry.service] ??= {});
    switch (entry.spec.kind) {
      case 'method':
        service[entry.member] = (input: unknown) => callMethod(entry.channel, input);
        break;
      case 'event':
        service[entry.member] = (listener: (payload: unknown) => void): Disposer => {
          const isStatus = entry.channel === 'engine.onDidChangeStatus';
          if (isStatus) statusListeners.add(listener);
          const dispose = mux.subscribe(entry.channel, listener);
          return () => {
            statusListeners.delete(listener);
            dispose();
          };
        };
        break;
      case 'stream':
        service[entry.member] = (input: unknown, observer: StreamObserver<unknown>) => mux.stream(entry.channel, input, observer);
        break;
    }
  }
  return api as unknown as AppApi;
}
