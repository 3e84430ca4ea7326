import { z } from 'zod';
import { method, stream } from '../define.js';
import { ObjectRef } from './common-schemas.js';

/** `auto` asks the container for bash, then ash, then sh. */
export const TerminalShell = z.enum(['auto', 'bash', 'ash', 'sh']);
export type TerminalShell = z.infer<typeof TerminalShell>;

/** A host-side terminal session id (not the engine's exec id, which never leaves the host). */
export const TerminalSessionId = z.string().regex(/^[a-f0-9]{32}$/, 'must be a terminal session id');

const cols = z.number().int().min(2).max(1000);
const rows = z.number().int().min(1).max(500);

export const TerminalSession = z.object({
  id: TerminalSessionId,
  containerId: z.string(),
  /** The command the session runs (`bash`, `sh`, or the auto-detect script's pick). */
  shell: TerminalShell,
  user: z.string(),
  /** ISO time the session was opened. */
  createdAt: z.string(),
  /** Set once the process has ended. */
  exitCode: z.number().int().nullable(),
  running: z.boolean(),
});
export type TerminalSession = z.infer<typeof TerminalSession>;

/**
 * What an attached renderer receives: first the recent output (`replay`), then live output as it
 * comes, and `exit` once the process has ended (the stream ends right after).
 */
export const TerminalOutput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('output'), data: z.string(), replay: z.boolean() }),
  z.object({ type: z.literal('exit'), exitCode: z.number().int().nullable() }),
]);
export type TerminalOutput = z.infer<typeof TerminalOutput>;

/**
 * Terminals are engine-side exec sessions kept by the host: they outlive a renderer reload, and a
 * renderer reattaches by id and gets the recent output replayed.
 */
export const terminals = {
  open: method({
    input: z
      .object({
        containerId: ObjectRef,
        shell: TerminalShell.default('auto'),
        /** `docker exec -u`: name, uid or uid:gid; empty for the container's user. */
        user: z
          .string()
          .max(64)
          .regex(/^[a-zA-Z0-9_.:-]*$/, 'must be a user name, uid or uid:gid')
          .default(''),
        cols: cols.default(80),
        rows: rows.default(24),
      })
      .strict(),
    output: TerminalSession,
  }),
  /** Sessions the host keeps for a container (to reattach after a reload). */
  list: method({ input: z.object({ containerId: ObjectRef }).strict(), output: z.array(TerminalSession) }),
  attach: stream({ input: z.object({ id: TerminalSessionId }).strict(), item: TerminalOutput }),
  /** Keystrokes and pastes, as the terminal produced them. */
  input: method({ input: z.object({ id: TerminalSessionId, data: z.string().max(65_536) }).strict(), output: z.void() }),
  resize: method({ input: z.object({ id: TerminalSessionId, cols, rows }).strict(), output: z.void() }),
  /** Ends the session (the shell sees its terminal hang up). */
  close: method({ input: z.object({ id: TerminalSessionId }).strict(), output: z.void() }),
} as const;
