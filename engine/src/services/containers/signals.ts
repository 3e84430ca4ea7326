import { constants } from 'node:os';
import { invalidArgument } from '@berth/common';

const signalNumbers = constants.signals as Record<string, number>;

/**
 * Accepts what Docker accepts: `KILL`, `SIGKILL`, `kill`, or a number (1-64, real-time signals
 * included). Returns the bare name (`KILL`) for named signals or the number.
 */
export function parseSignal(value: string | number): string | number {
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1 || number > 64) throw invalidArgument(`Invalid signal: ${value}`);
    return number;
  }
  const upper = value.toUpperCase();
  const name = upper.startsWith('SIG') ? upper.slice(3) : upper;
  if (signalNumbers[`SIG${name}`] === undefined) {
    const realtime = /^RTMIN(\+\d+)?$|^RTMAX(-\d+)?$/.test(name);
    if (!realtime) throw invalidArgument(`Invalid signal: ${value}`);
  }
  return name;
}
