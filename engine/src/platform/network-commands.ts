import { access, readFile, writeFile } from 'node:fs/promises';
import { findExecutable } from './find-executable.js';
import { CommandFailedError, runCommand } from './run-command.js';

const podmanHelperDirectories = ['/usr/lib/podman', '/usr/libexec/podman', '/usr/local/lib/podman', '/usr/local/libexec/podman'];

/** Where `ip netns add NAME` puts a named namespace. */
export const netnsDirectory = '/run/netns';

/** netavark and aardvark-dns, located once (Debian ships both in /usr/lib/podman). */
export interface NetavarkBinaries {
  netavark: string;
  aardvarkDns: string;
}

export async function findNetavark(): Promise<NetavarkBinaries> {
  return {
    netavark: await findExecutable('netavark', podmanHelperDirectories),
    aardvarkDns: await findExecutable('aardvark-dns', podmanHelperDirectories),
  };
}

/**
 * Runs `netavark setup|teardown NETNS` with its JSON configuration on stdin. `configDir` holds
 * aardvark-dns's per-network name files and its pid; netavark starts and stops aardvark-dns itself.
 */
export async function runNetavark(
  binaries: NetavarkBinaries,
  configDir: string,
  command: 'setup' | 'teardown',
  namespacePath: string,
  input: unknown,
  signal?: AbortSignal,
): Promise<string> {
  const result = await runCommand(
    binaries.netavark,
    ['--config', configDir, '--aardvark-binary', binaries.aardvarkDns, command, namespacePath],
    { input: JSON.stringify(input), ...(signal !== undefined ? { signal } : {}) },
  );
  return result.stdout;
}

/** Creates a persistent named network namespace (`/run/netns/NAME`), or keeps an existing one. */
export async function addNetworkNamespace(name: string): Promise<string> {
  const path = `${netnsDirectory}/${name}`;
  try {
    await access(path);
    return path;
  } catch {
    await runCommand('ip', ['netns', 'add', name]);
    return path;
  }
}

/** Deletes a named network namespace; its veth ends go with it. A missing one is fine. */
export async function deleteNetworkNamespace(name: string): Promise<void> {
  await runCommand('ip', ['netns', 'delete', name], { allowFailure: true });
}

/**
 * Runs several `ip` commands in one process (`ip -batch -`), in the host's namespace or, with
 * `namespace`, in a named one: one process instead of one per command keeps a container start cheap.
 */
export async function runIpBatch(
  commands: readonly string[],
  options: { namespace?: string; signal?: AbortSignal } = {},
): Promise<void> {
  if (commands.length === 0) return;
  const args = [...(options.namespace !== undefined ? ['-n', options.namespace] : []), '-batch', '-'];
  await runCommand('ip', args, {
    input: `${commands.join('\n')}\n`,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
}

/**
 * Deletes host interfaces by name; one already gone is fine. The kernel removes a deleted
 * namespace's veths in the background, so a name seen a moment ago may vanish before `ip` runs.
 */
export async function deleteLinks(names: readonly string[], options: { signal?: AbortSignal } = {}): Promise<void> {
  if (names.length === 0) return;
  const result = await runCommand('ip', ['-force', '-batch', '-'], {
    input: `${names.map((name) => `link del ${name}`).join('\n')}\n`,
    allowFailure: true,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  if (result.exitCode === 0) return;
  const errors = result.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('Command failed') && !line.startsWith('Cannot find device'));
  if (errors.length > 0) throw new CommandFailedError('ip', ['link', 'del', ...names], result, errors.join('; '));
}

/** Containers reach beyond their bridge only when the host forwards IPv4 (dockerd turns it on too). */
export async function enableIpv4Forwarding(): Promise<void> {
  const path = '/proc/sys/net/ipv4/ip_forward';
  if ((await readFile(path, 'utf8')).trim() !== '1') await writeFile(path, '1\n');
}
