import { z } from 'zod';
import { event, method } from '../define.js';

export const EngineEventType = z.enum([
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
]);
export type EngineEventType = z.infer<typeof EngineEventType>;

/** One message of the engine's `/events` feed, normalised. */
export const EngineEvent = z.object({
  type: EngineEventType,
  /** `start`, `die`, `destroy`, `pull`, `tag`, `exec_start: sh`, … */
  action: z.string(),
  /** The object's id (or name, for volumes). */
  id: z.string(),
  attributes: z.record(z.string(), z.string()),
  /** Unix seconds. */
  time: z.number(),
  timeNano: z.number().optional(),
});
export type EngineEvent = z.infer<typeof EngineEvent>;

export const events = {
  /** The engine's `/events` feed; the host keeps one connection and fans it out. */
  onDidChange: event(EngineEvent),
  /** Past events (`/events?since=&until=`), oldest first, at most `limit` of the newest. */
  history: method({
    input: z
      .object({
        sinceSeconds: z
          .number()
          .int()
          .min(1)
          .max(7 * 86_400)
          .default(3600),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    output: z.array(EngineEvent),
  }),
} as const;
