import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  channelsOf,
  ClientStreamMessage,
  serializeError,
  type ContractSpec,
  type HostStreamMessage,
} from '@berth/common/contract';
import type { ContractDispatcher } from '@berth/app-host';
import { isTrustedSender } from '../security/policy.js';

/** IPC channels of the stream/event side (methods use their own derived channel names). */
export const STREAM_TO_MAIN = 'berth:stream';
export const STREAM_TO_RENDERER = 'berth:stream-message';

/**
 * Serves the contract over Electron IPC: one `ipcMain.handle` per method (channel = `service.member`),
 * plus one channel carrying the multiplexed event/stream protocol (same messages as the web socket).
 * Every message checks the sender frame; every payload goes through the contract schemas.
 */
export function serveContract<C extends ContractSpec>(
  ipcMain: IpcMain,
  contract: C,
  dispatcher: ContractDispatcher<C>,
  origins: readonly string[],
): () => void {
  const trusted = (event: IpcMainInvokeEvent | IpcMainEvent): boolean => isTrustedSender(event.senderFrame, origins);
  const methods = channelsOf(contract).filter((entry) => entry.spec.kind === 'method');
  for (const { channel } of methods) {
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!trusted(event)) return { ok: false, error: { kind: 'forbidden', message: 'untrusted sender' } };
      const abort = new AbortController();
      event.sender.once('destroyed', () => abort.abort());
      return dispatcher.invoke(channel, input, abort.signal);
    });
  }

  const sessions = new Map<WebContents, Map<number, () => void>>();
  const sessionFor = (sender: WebContents): Map<number, () => void> => {
    let session = sessions.get(sender);
    if (session === undefined) {
      const created = new Map<number, () => void>();
      session = created;
      sessions.set(sender, created);
      const cleanup = (): void => {
        for (const dispose of created.values()) dispose();
        sessions.delete(sender);
      };
      sender.once('destroyed', cleanup);
      sender.once('did-start-navigation', cleanup);
    }
    return session;
  };

  const onStream = (event: IpcMainEvent, raw: unknown): void => {
    if (!trusted(event)) return;
    const parsed = ClientStreamMessage.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    const sender = event.sender;
    const session = sessionFor(sender);
    const send = (out: HostStreamMessage): void => {
      if (!sender.isDestroyed()) sender.send(STREAM_TO_RENDERER, out);
    };
    if (message.type === 'cancel') {
      session.get(message.id)?.();
      session.delete(message.id);
      return;
    }
    if (session.has(message.id)) return;
    if (message.type === 'subscribe') {
      try {
        session.set(
          message.id,
          dispatcher.subscribe(message.channel, (payload) => send({ type: 'event', id: message.id, payload })),
        );
      } catch (error) {
        send({ type: 'error', id: message.id, error: serializeError(error) });
      }
      return;
    }
    const abort = new AbortController();
    session.set(message.id, () => abort.abort());
    void (async () => {
      try {
        for await (const item of dispatcher.openStream(message.channel, message.input, abort.signal))
          send({ type: 'item', id: message.id, item });
        if (!abort.signal.aborted) send({ type: 'end', id: message.id });
      } catch (error) {
        if (!abort.signal.aborted) send({ type: 'error', id: message.id, error: serializeError(error) });
      } finally {
        session.delete(message.id);
      }
    })();
  };
  ipcMain.on(STREAM_TO_MAIN, onStream);

  return () => {
    for (const { channel } of methods) ipcMain.removeHandler(channel);
    ipcMain.off(STREAM_TO_MAIN, onStream);
    for (const session of sessions.values()) for (const dispose of session.values()) dispose();
    sessions.clear();
  };
}
