import { constants as osConstants } from 'node:os';
import { invalidArgument } from '@berth/common';

/** `TERM`, `SIGTERM`, `15` → what runc accepts; unknown names are the client's mistake (400). */
export function signalArgument(signal: string | number): string {
  const signals = osConstants.signals as Record<string, number | undefined>;
  if (typeof signal === 'number') {
    if (!Number.isInteger(signal) || signal <= 0 || signal > 64) throw invalidArgument(`Invalid signal: ${signal}`);
    return String(signal);
  }
  const trimmed = signal.trim().toUpperCase();
  if (/^\d+$/.test(trimmed)) return signalArgument(Number(trimmed));
  const name = trimmed.startsWith('SIG') ? trimmed : `SIG${trimmed}`;
  // Real-time signals (SIGRTMIN+3) are not in Node's table; pass them through for runc to judge.
  if (signals[name] === undefined && !/^SIGRT(MIN|MAX)([+-]\d+)?$/.test(name)) throw invalidArgument(`Invalid signal: ${signal}`);
  return name;
}
