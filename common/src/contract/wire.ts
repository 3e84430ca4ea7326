import { z } from 'zod';
import { errorKinds } from '../errors/error-kind.js';

/** An error as it crosses a transport: `{kind, message}` (never a stack, never a cause). */
export const SerializedError = z.object({
  kind: z.enum(errorKinds),
  message: z.string(),
});
export type SerializedError = z.infer<typeof SerializedError>;

/** Response envelope of a method call (Podman Desktop's `{result} | {error}`). */
export const MethodResponse = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: SerializedError }),
]);
export type MethodResponse = z.infer<typeof MethodResponse>;

const channelName = z
  .string()
  .min(3)
  .max(100)
  .regex(/^[a-z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/);
const requestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Messages a client sends on the multiplexed stream socket (WebSocket in web mode, IPC in Electron). */
export const ClientStreamMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), id: requestId, channel: channelName }),
  z.object({ type: z.literal('stream'), id: requestId, channel: channelName, input: z.unknown() }),
  z.object({ type: z.literal('cancel'), id: requestId }),
]);
export type ClientStreamMessage = z.infer<typeof ClientStreamMessage>;

/** Messages the host sends back, tagged with the client's request id. */
export const HostStreamMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), id: requestId, payload: z.unknown() }),
  z.object({ type: z.literal('item'), id: requestId, item: z.unknown() }),
  z.object({ type: z.literal('end'), id: requestId }),
  z.object({ type: z.literal('error'), id: requestId, error: SerializedError }),
]);
export type HostStreamMessage = z.infer<typeof HostStreamMessage>;

/** Converts anything thrown into a SerializedError. */
export function serializeError(error: unknown): SerializedError {
  if (typeof error === 'object' && error !== null) {
    const candidate = error as { kind?: unknown; message?: unknown };
    const parsed = SerializedError.safeParse({ kind: candidate.kind, message: candidate.message });
    if (parsed.success) return parsed.data;
    if (error instanceof Error) return { kind: 'internal', message: error.message };
  }
  return { kind: 'internal', message: String(error) };
}
