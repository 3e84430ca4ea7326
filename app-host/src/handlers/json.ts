/** Defensive readers for engine JSON (the engine is trusted but may be incomplete). */
export type Json = Record<string, unknown>;

export const obj = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
export const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
export const num = (value: unknown, fallback = 0): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;
export const bool = (value: unknown): boolean => value === true;
export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const strings = (value: unknown): string[] => arr(value).filter((v): v is string => typeof v === 'string');
export function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(obj(value))) if (typeof v === 'string') out[key] = v;
  return out;
}
export const optStr = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' && !value.startsWith('0001-01-01') ? value : undefined;
