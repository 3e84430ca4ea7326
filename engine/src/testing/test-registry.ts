import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export interface TestRegistry {
  /** `127.0.0.1:PORT`: use as the registry part of references. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Filesystem storage of the registry (temp dir, removed by stop()). */
  storageDir: string;
  /** Stops the registry and deletes its storage. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartTestRegistryOptions {
  /** Registry binary (default /usr/bin/docker-registry, Debian's distribution 2.8). */
  binary?: string;
  /** How long to wait for `GET /v2/` to answer (default 15 s). */
  startTimeoutMs?: number;
  /** Basic auth from an htpasswd file made with `htpasswd -B` (apache2-utils). */
  htpasswd?: { username: string; password: string };
  /** Bearer token auth: the registry's `auth.token` config pointing at a token issuer the test runs. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

/** Finds a free TCP port on 127.0.0.1 (tiny race with other processes; fine for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real `docker-registry serve` on 127.0.0.1 (plain HTTP, anonymous, deletes enabled) with
 * a temp storage directory, and resolves once `GET /v2/` answers. Test support only: engine code
 * spawns processes through platform/, but tests own their fixtures.
 */
export async function startTestRegistry(options: StartTestRegistryOptions = {}): Promise<TestRegistry> {
  const storageDir = await mkdtemp(join(tmpdir(), 'berth-test-registry-'));
  const port = await freePort();
  const configPath = join(storageDir, 'config.yml');
  const auth: string[] = [];
  if (options.htpasswd) {
    const htpasswdPath = join(storageDir, 'htpasswd');
    const line = await runTool('htpasswd', ['-Bbn', options.htpasswd.username, options.htpasswd.password]);
    await writeFile(htpasswdPath, line);
    auth.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${htpasswdPath}`);
  } else if (options.token) {
    auth.push(
      'auth:',
      '  token:',
      `    realm: ${options.token.realm}`,
      `    service: ${options.token.service}`,
      `    issuer: ${options.token.issuer}`,
      `    rootcertbundle: ${options.token.rootCertBundle}`,
    );
  }
  await writeFile(
    configPath,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(storageDir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: berth-test-secret',
      ...auth,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(options.binary ?? '/usr/bin/docker-registry', ['serve', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(5000)]);
      if (!exited) child.kill('SIGKILL');
      await exit;
    }
    await rm(storageDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`docker-registry exited during startup: ${stderr.trim()}`);
    }
    try {
      const response = await request(`${url}/v2/`);
      await response.body.dump();
      if (response.statusCode === 200 || (auth.length > 0 && response.statusCode === 401)) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${url} in time: ${stderr.trim()}`);
    }
    await sleep(50);
  }
  return { host: `127.0.0.1:${port}`, url, storageDir, stop };
}

/** Runs a tool for a test fixture and returns its stdout (throws with stderr on failure). */
export function runTool(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${command} exited with ${code}: ${Buffer.concat(err).toString('utf8')}`));
    });
  });
}
