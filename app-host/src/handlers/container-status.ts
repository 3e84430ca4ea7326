/**
 * What the list's human `Status` ("Up 5 minutes (healthy)") says, read back: the list API has no
 * start time and no health field, and inspecting every running container to get them costs one
 * request per row (seconds for a thousand containers). Docker's wording has a unit that grows with
 * the duration, so the start time derived here is within one unit of the truth.
 */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

const UNIT_SECONDS: Record<string, number> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86_400,
  week: 7 * 86_400,
  month: 30 * 86_400,
  year: 365 * 86_400,
};

/** Seconds in Docker's `units.HumanDuration` text ("About a minute", "3 hours"), or undefined. */
export function parseHumanDuration(text: string): number | undefined {
  const clean = text.trim().toLowerCase();
  if (clean === 'less than a second') return 0;
  if (clean === 'about a minute') return 60;
  if (clean === 'about an hour') return 3600;
  const match = /^(\d+) (second|minute|hour|day|week|month|year)s?$/.exec(clean);
  if (match === null) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? 0);
}

/** The start time an `Up …` status implies, as ISO, relative to `nowMs`. */
export function startedAtFromStatus(status: string, nowMs: number): string | undefined {
  const match = /^Up (.+?)(?: \((?:healthy|unhealthy|health: starting|Paused)\))*$/.exec(status.trim());
  if (match === null) return undefined;
  const seconds = parseHumanDuration(match[1] ?? '');
  return seconds === undefined ? undefined : new Date(nowMs - seconds * 1000).toISOString();
}

export function healthFromStatus(status: string): HealthStatus | undefined {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(health: starting)')) return 'starting';
  return undefined;
}
