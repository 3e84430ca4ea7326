import { readFile } from 'node:fs/promises';

/**
 * The engine's hard limit on open files, from /proc/self/limits; containers cannot be given more
 * without CAP_SYS_RESOURCE. Undefined when unlimited or unreadable.
 */
export async function readHostNofileLimit(): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  const hard = match?.[2];
  if (hard === undefined || hard === 'unlimited') return undefined;
  const value = Number.parseInt(hard, 10);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * The engine's capability bounding set (CapBnd in /proc/self/status), bit n = capability n; see
 * capabilitiesFromMask(). An engine inside a restricted sandbox may lack some (often
 * CAP_SYS_RESOURCE), and its containers cannot get them either.
 */
export async function readBoundingCapabilityMask(): Promise<bigint | undefined> {
  let text: string;
  try {
    text = await readFile('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  if (hex === undefined) return undefined;
  return BigInt(`0x${hex}`);
}
