import { runCommand } from './run-command.js';

/**
 * Copies the contents of `source` into the existing directory `target` with owners, modes,
 * symlinks (as links), special files, xattrs and times kept (`cp -a`), as dockerd seeds a new
 * volume from the image.
 */
export async function copyTreePreserving(source: string, target: string, signal?: AbortSignal): Promise<void> {
  await runCommand('cp', ['-a', '--no-dereference', `${source}/.`, target], signal !== undefined ? { signal } : {});
}
