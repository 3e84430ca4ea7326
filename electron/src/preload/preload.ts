/**
 * Preload (sandboxed; bundled to CommonJS as preload.cjs at package time). Exposes `window.app`,
 * built generically from the contract: one named function per member. Never exposes ipcRenderer or
 * a generic invoke(channel).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelsOf, contract, type HostStreamMessage, type SerializedError, type StreamObserver } from '@berth/common/contract';

const STREAM_TO_MAIN = 'berth:stream';
const STREAM_TO_RENDERER = 'berth:stream-message';

type Pending = { kind: 'event'; listener: (payload: unknown) => void } | { kind: 'stream'; observer: StreamObserver<unknown> };
const active = new Map<number, Pending>();
let nextId = 1;

ipcRenderer.on(STREAM_TO_RENDERER, (_event: IpcRendererEvent, message: HostStreamMessage) => {
  const pending = active.get(message.id);
  if (pending === undefined) return;
  if (message.type === 'event' && pending.kind === 'event') pending.listener(message.payload);
  else if (message.type === 'item' && pending.kind === 'stream') pending.observer.onItem(message.item);
  else if (message.type === 'end') {
    active.delete(message.id);
    if (pending.kind === 'stream') pending.observer.onEnd?.();
  } else if (message.type === 'error') {
    active.delete(message.id);
    if (pending.kind === 'stream') pending.observer.onError?.(message.error);
  }
});

function buildApi(): Record<string, Record<string, unknown>> {
  const api: Record<string, Record<string, unknown>> = {};
  for (const entry of channelsOf(contract)) {
    const service = (api[entry.service] ??= {});
    const { channel } = entry;
    switch (entry.spec.kind) {
      case 'method':
        service[entry.member] = async (input: unknown) => {
          const response = (await ipcRenderer.invoke(channel, input)) as
            { ok: true; value: unknown } | { ok: false; error: SerializedError };
          if (!response.ok) throw Object.assign(new Error(response.error.message), { kind: response.error.kind });
          return response.value;
        };
        break;
      case 'event':
        service[entry.member] = (listener: (payload: unknown) => void) => {
          const id = nextId++;
          active.set(id, { kind: 'event', listener });
          ipcRenderer.send(STREAM_TO_MAIN, { type: 'subscribe', id, channel });
          return () => {
            if (active.delete(id)) ipcRenderer.send(STREAM_TO_MAIN, { type: 'cancel', id });
          };
        };
        break;
      case 'stream':
        service[entry.member] = (input: unknown, observer: StreamObserver<unknown>) => {
          const id = nextId++;
          active.set(id, { kind: 'stream', observer });
          ipcRenderer.send(STREAM_TO_MAIN, { type: 'stream', id, channel, input });
          return {
            cancel: () => {
              if (active.delete(id)) ipcRenderer.send(STREAM_TO_MAIN, { type: 'cancel', id });
            },
          };
        };
        break;
    }
  }
  return api;
}

contextBridge.exposeInMainWorld('app', buildApi());
