import { runCommand } from './run-command.js';

/** `mount -t TYPE [-o OPTIONS] DEVICE TARGET`, as Docker's local driver does for a volume with options. */
export async function mountFilesystem(type: string, device: string, options: string, target: string): Promise<void> {
  await runCommand('mount', ['-t', type, ...(options !== '' ? ['-o', options] : []), device, target]);
}

/** Lazy unmount: a process still holding a file must not make it fail. */
export async function unmountLazily(target: string): Promise<void> {
  await runCommand('umount', ['-l', target], { allowFailure: true });
}
