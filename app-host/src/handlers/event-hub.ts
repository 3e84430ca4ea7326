import { toAppError } from '@berth/common';
import type { EngineEvent, EngineEventType, EngineStatus } from '@berth/common/contract';
import type { DockerClient } from '../docker/docker-client.js';
import { jsonLines } from '../docker/frames.js';
import { num, obj, str, stringRecord } from './json.js';

const eventTypes: readonly EngineEventType[] = [
  'container',
  'image',
  'volume',
  'network',
  'daemon',
  'plugin',
  'node',
  'service',
  'secret',
  'config',
  'builder',
];

export function toEngineEvent(value: unknown): EngineEvent | undefined {
  const m = obj(value);
  const type = eventTypes.find((t) => t === (m['Type'] ?? m['type']));
  if (type === undefined) return undefined;
  const actor = obj(m['Actor']);
  const event: EngineEvent = {
    type,
    action: str(m['Action'], str(m['status'])),
    id: str(actor['ID'], str(m['id'])),
    attributes: stringRecord(actor['Attributes']),
    time: num(m['time']),
  };
  if (typeof m['timeNano'] === 'number') event.timeNano = m['timeNano'];
  return event;
}

/** Past events: `until` makes the engine send what it has and end the response. */
export async function eventHistory(
  docker: DockerClient,
  sinceSeconds: number,
  limit: number,
  signal: AbortSignal,
): Promise<EngineEvent[]> {
  const now = Math.floor(Date.now() / 1000);
  const { body } = await docker.stream({
    method: 'GET',
    path: '/events',
    // `until` is whole seconds: one second ahead keeps events of the current second.
    query: { since: now - sinceSeconds, until: now + 1 },
    signal,
    headersTimeout: 10_000,
  });
  const events: EngineEvent[] = [];
  try {
    for await (const message of jsonLines(body)) {
      const event = toEngineEvent(message);
      if (event === undefined) continue;
      events.push(event);
      if (events.length > limit) events.shift();
    }
  } finally {
    body.destroy();
  }
  return events;
}

export interface EventHubOptions {
  /** Delay before reconnecting after the feed drops (grows to `maxRetryMs`). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
}

/**
 * Keeps ONE `/events` connection to the engine while anybody listens, fans events out, and turns
 * the connection's life into EngineStatus changes. Reconnects with backoff when the engine goes away.
 */
export class EventHub {
  readonly #docker: DockerClient;
  readonly #eventListeners = new Set<(event: EngineEvent) => void>();
  readonly #statusListeners = new Set<(status: EngineStatus) => void>();
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  #status: EngineStatus;
  #abort: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delay: number;

  constructor(docker: DockerClient, options: EventHubOptions = {}) {
    this.#docker = docker;
    this.#retryMs = options.retryMs ?? 1000;
    this.#maxRetryMs = options.maxRetryMs ?? 10_000;
    this.#delay = this.#retryMs;
    this.#status = { state: 'connecting', host: docker.host.display };
  }

  get status(): EngineStatus {
    return this.#status;
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.#eventListeners.add(listener);
    this.#ensureRunning();
    return () => {
      this.#eventListeners.delete(listener);
      this.#stopIfIdle();
    };
  }

  onStatus(listener: (status: EngineStatus) => void): () => void {
    this.#statusListeners.add(listener);
    listener(this.#status);
    this.#ensureRunning();
    return () => {
      this.#statusListeners.delete(listener);
      this.#stopIfIdle();
    };
  }

  close(): void {
    this.#eventListeners.clear();
    this.#statusListeners.clear();
    this.#stopIfIdle();
  }

  #setStatus(status: EngineStatus): void {
    const same = status.state === this.#status.state && status.message === this.#status.message;
    this.#status = status;
    if (!same) for (const listener of [...this.#statusListeners]) listener(status);
  }

  #ensureRunning(): void {
    if (this.#abort !== undefined || this.#timer !== undefined) return;
    void this.#connect();
  }

  #stopIfIdle(): void {
    if (this.#eventListeners.size > 0 || this.#statusListeners.size > 0) return;
    this.#abort?.abort();
    this.#abort = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #pings(signal: AbortSignal): Promise<boolean> {
    try {
      await this.#docker.ping(signal);
      return true;
    } catch {
      return false;
    }
  }

  async #connect(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    const host = this.#docker.host.display;
    try {
      const { headers, body } = await this.#docker.stream({
        method: 'GET',
        path: '/events',
        signal: abort.signal,
        headersTimeout: 10_000,
      });
      const apiVersion = headers['api-version'];
      this.#delay = this.#retryMs;
      this.#setStatus({ state: 'running', host, ...(typeof apiVersion === 'string' ? { apiVersion } : {}) });
      try {
        for await (const message of jsonLines(body)) {
          const event = toEngineEvent(message);
          if (event !== undefined) for (const listener of [...this.#eventListeners]) listener(event);
        }
      } finally {
        body.destroy();
      }
      if (abort.signal.aborted) return;
      this.#setStatus({ state: 'unreachable', host, message: 'the engine closed its event feed' });
    } catch (error) {
      if (abort.signal.aborted) return;
      const appError = toAppError(error);
      // An engine without an event feed (404) is still a working engine: say so instead of "unreachable".
      if (appError.kind === 'not-found' && (await this.#pings(abort.signal))) {
        this.#setStatus({ state: 'running', host, message: `the engine has no event feed (${appError.message})` });
      } else {
        this.#setStatus({ state: 'unreachable', host, message: appError.message });
      }
    } finally {
      if (this.#abort === abort) this.#abort = undefined;
    }
    if (this.#eventListeners.size === 0 && this.#statusListeners.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#ensureRunning();
    }, this.#delay);
    this.#timer.unref();
    this.#delay = Math.min(this.#delay * 2, this.#maxRetryMs);
  }
}
