/**
 * JSON text in which bigint values are written as exact integers, as Go writes its 64-bit
 * counters and nanosecond times (JSON.stringify rejects bigint; Number would round them).
 */
export function jsonWithBigInts(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `\u0000${item.toString()}` : item)).replace(
    /"\\u0000(-?\d+)"/g,
    '$1',
  );
}
