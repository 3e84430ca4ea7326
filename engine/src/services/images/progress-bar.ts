const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units `HumanSize`: decimal units, 4 significant digits (`3.678kB`, `300.3kB`, `130B`). */
export function humanSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < units.length - 1) {
    size /= 1000;
    unit++;
  }
  return `${String(Number.parseFloat(size.toPrecision(4)))}${units[unit] ?? ''}`;
}

/**
 * dockerd's pre-rendered `progress` string (jsonmessage.JSONProgress.String at the daemon's default
 * width): a 50-column bar then `%8v/%v` of current/total, e.g. `[==>      …]  3.678kB/300.3kB`.
 */
export function renderProgress(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  const percentage = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}
