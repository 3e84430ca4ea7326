import { readFile } from 'node:fs/promises';

/** Reads a pid file (`1234`, maybe with a newline); undefined when missing or garbled. */
export async function readPidFile(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is still the monitor of this task. A bare kill(pid, 0) is not enough after a
 * reboot or a long uptime: the pid may now belong to another process, so its command line must
 * still name the container id.
 */
export async function isMonitorAlive(pid: number, containerId: string): Promise<boolean> {
  let cmdline: string;
  try {
    cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  // A zombie has an empty command line: it has exited, its parent just has not reaped it.
  if (cmdline === '') return false;
  return cmdline.split('\0').includes(containerId);
}
