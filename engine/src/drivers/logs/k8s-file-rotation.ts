import { readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The rotated files of a log, oldest first: `<path>.3`, `<path>.2`, `<path>.1`. */
export async function rotatedLogPaths(path: string): Promise<string[]> {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => b - a)
    .map((index) => join(dirname(path), `${prefix}${index}`));
}

/**
 * Shifts the log's files down one place (`<path>` becomes `<path>.1`, `.1` becomes `.2`, ...),
 * dropping the oldest so that at most `maxFiles - 1` rotated files remain once the monitor has
 * reopened `<path>`. The monitor keeps writing to the renamed file until it reopens, so nothing
 * written in between is lost. With `maxFiles` 1 the renamed file is dropped by pruneRotatedLogs
 * after the reopen (Docker truncates then).
 */
export async function shiftLogFiles(path: string, maxFiles: number): Promise<void> {
  const keep = Math.max(1, maxFiles - 1);
  for (const rotated of await rotatedLogPaths(path)) {
    const index = Number(rotated.slice(path.length + 1));
    if (index >= keep) await rm(rotated, { force: true });
    else await rename(rotated, `${path}.${index + 1}`);
  }
  await rename(path, `${path}.1`);
}

/** Removes rotated files beyond `maxFiles - 1` (call after the monitor reopened the log). */
export async function pruneRotatedLogs(path: string, maxFiles: number): Promise<void> {
  for (const rotated of await rotatedLogPaths(path)) {
    if (Number(rotated.slice(path.length + 1)) > maxFiles - 1) await rm(rotated, { force: true });
  }
}

/** The file operations LogRotationService needs, for conmon's k8s-file logs. */
export const k8sFileLogFiles = {
  sizeOf: async (path: string): Promise<number | undefined> => {
    try {
      return (await stat(path)).size;
    } catch {
      return undefined;
    }
  },
  shift: shiftLogFiles,
  prune: pruneRotatedLogs,
};
