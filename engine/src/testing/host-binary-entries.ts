import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type { TestEntry } from './test-images.js';

/**
 * A dynamically linked host program with every library `ldd` names, at the same paths, for a test
 * image layer: busybox-static has no UDP server, socat from Debian does. Files are read through
 * symlinks, so the layer holds real files where the host has links.
 */
export async function hostBinaryEntries(binary: string): Promise<TestEntry[]> {
  const { stdout } = await promisify(execFile)('ldd', [binary]);
  const libraries = [...stdout.matchAll(/(\/\S+) \(0x[0-9a-f]+\)$|=> (\/\S+) \(0x[0-9a-f]+\)$/gm)]
    .map((match) => match[1] ?? match[2])
    .filter((path): path is string => path !== undefined);
  const files = [binary, ...libraries];
  const directories = new Set<string>();
  for (const file of files) {
    for (let dir = dirname(file); dir !== '/'; dir = dirname(dir)) directories.add(dir.slice(1));
  }
  const entries: TestEntry[] = [...directories].sort().map((path) => ({ type: 'dir', path }));
  for (const file of files) {
    entries.push({ type: 'file', path: file.slice(1), content: await readFile(await realpath(file)), mode: 0o755 });
  }
  return entries;
}
