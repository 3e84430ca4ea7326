/**
 * The closed set of failure kinds shared by every layer. Each transport maps a kind to its own
 * representation exactly once (HTTP status in engine/src/api/http-errors.ts, `{kind, message}` on the app contract).
 */
export const errorKinds = [
  'invalid-argument',
  'not-found',
  'conflict',
  'not-modified',
  'unauthorized',
  'forbidden',
  'unavailable',
  'not-implemented',
  'canceled',
  'internal',
] as const;

export type ErrorKind = (typeof errorKinds)[number];
