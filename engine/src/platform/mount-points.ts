import { readFile } from 'node:fs/promises';
import { runCommand } from './run-command.js';

/** Whether something is mounted exactly at `target` (from this process's mount table). */
export async function isMountPoint(target: string): Promise<boolean> {
  const table = await readFile('/proc/self/mountinfo', 'utf8');
  const escaped = target.replace(/ /g, '\\040');
  return table.split('\n').some((line) => line.split(' ')[4] === escaped);
}

/** `mount -t TYPE [-o OPTIONS] DEVICE TARGET`, as Docker's local driver does for a volume with options. */
export async function mountFilesystem(type: string, device: string, options: string, target: string): Promise<void> {
  await runCommand('mount', ['-t', type, ...(options !== '' ? ['-o', options] : []), device, target]);
}

/** Lazy unmount: a process still holding a file must not make it fail. */
export async function unmountLazily(target: string): Promise<void> {
  await runCommand('umount', ['-l', target], { allowFailure: true });
}
