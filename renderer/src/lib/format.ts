export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return `${d}d ${h % 24}h`;
}

/** "3 hours ago" style, from unix seconds. */
export function formatAgo(unixSeconds: number, nowMs: number = Date.now()): string {
  const seconds = Math.max(0, nowMs / 1000 - unixSeconds);
  if (seconds < 60) return 'just now';
  return `${formatDuration(seconds).split(' ')[0] ?? ''} ago`;
}

export function uptimeSeconds(startedAt: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (startedAt === undefined) return undefined;
  const started = Date.parse(startedAt);
  return Number.isNaN(started) ? undefined : (nowMs - started) / 1000;
}

export const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

export function formatPercent(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)}%`;
}
