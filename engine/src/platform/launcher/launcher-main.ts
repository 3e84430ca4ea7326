/**
 * The process launcher helper: a small Node process the engine forks once and asks, over its IPC
 * channel, to start programs (see process-launcher.ts). It imports nothing but the spawning code.
 */
import type { LaunchFailure, LaunchReply, LaunchRequest } from './launch-protocol.js';
import { runCommandHere, startMonitorHere } from './local-spawn.js';

const inFlight = new Map<number, AbortController>();

function reply(message: LaunchReply): void {
  // The engine may be gone (killed): nobody is left to tell.
  if (process.connected) process.send?.(message);
}

function failed(id: number, error: unknown): void {
  const failure: LaunchFailure =
    typeof error === 'object' && error !== null && 'message' in error && 'aborted' in error
      ? (error as LaunchFailure)
      : { message: String(error), aborted: false };
  reply({ id, kind: 'failed', failure });
}

process.on('message', (message: LaunchRequest) => {
  if (message.kind === 'cancel') {
    inFlight.get(message.id)?.abort();
    inFlight.delete(message.id);
    return;
  }
  const controller = new AbortController();
  inFlight.set(message.id, controller);
  const work: Promise<LaunchReply> =
    message.kind === 'command'
      ? runCommandHere(message.request, controller.signal).then((outcome) => ({
          id: message.id,
          kind: 'command' as const,
          outcome,
        }))
      : startMonitorHere(message.request, controller.signal).then((outcome) => ({
          id: message.id,
          kind: 'monitor' as const,
          outcome,
        }));
  work
    .then(
      (answer) => {
        if (!controller.signal.aborted) reply(answer);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) failed(message.id, error);
      },
    )
    .finally(() => inFlight.delete(message.id));
});

// The engine exited (or was killed): programs already started finish on their own, and monitors
// were detached from the start.
process.on('disconnect', () => process.exit(0));
