/** Docker's RFC3339Nano rendering in UTC with all nine fraction digits (`docker logs -t`). */
export function formatTimestamp(timeNano: bigint): string {
  const ms = Number(timeNano / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const nanos = (timeNano % 1_000_000_000n).toString().padStart(9, '0');
  return `${base}.${nanos}Z`;
}
