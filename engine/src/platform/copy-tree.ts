import { runCommand } from './run-command.js';

/**
 * Copies the contents of `source` into the existing directory `target` with owners, modes,
 * symlinks (as links), special files, xattrs and times kept (`cp -a`), as dockerd seeds a new
 * volume from the image.
 */
export async function copyTreePreserving(source: string, target: string, signal?: AbortSignal): Promise<void> {
  await runCommand('cp', ['-a', '--no-dereference', `${source}/.`, target], signal !== undefined ? { signal } : {});
}

/** Disk usage of a tree in bytes (`du -sb`); 0 when it cannot be measured. */
export async function treeSize(path: string): Promise<number> {
  const result = await runCommand('du', ['-sb', path], { allowFailure: true });
  const bytes = Number(result.stdout.split(/\s/)[0]);
  return Number.isFinite(bytes) ? bytes : 0;
}
