#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { contract } from '@berth/common/contract';
import { ContractDispatcher } from './contract-dispatcher.js';
import { DockerClient } from './docker/docker-client.js';
import { defaultDockerHost, parseDockerHost } from './docker/docker-host.js';
import { createAppHandlers } from './handlers/create-handlers.js';
import { generateToken, isLoopbackHost } from './web/security.js';
import { startWebServer } from './web/web-server.js';

const usage = `usage: node app-host/dist/web-main.js [--host unix:///path/docker.sock] [--listen 127.0.0.1:PORT]
         [--renderer-dir DIR] [--allow-non-loopback] [--host-name NAME]...
Prints the URL (with a one-time token) as the first line of stdout.`;

function parseListen(value: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(value);
  if (match === null) throw new Error(`--listen must be HOST:PORT, got "${value}"`);
  const port = Number(match[2]);
  if (port > 65535) throw new Error(`invalid port in --listen: ${value}`);
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

/** `berth web ARGS` (bin/berth calls this) and `node app-host/dist/web-main.js ARGS`. */
export async function main(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    await serve(args);
  } catch (error) {
    process.stderr.write(`berth-web: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

async function serve(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      host: { type: 'string', short: 'H' },
      listen: { type: 'string', default: '127.0.0.1:0' },
      'renderer-dir': { type: 'string' },
      'allow-non-loopback': { type: 'boolean', default: false },
      'host-name': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stderr.write(`${usage}\n`);
    return;
  }
  const dockerHost = values.host === undefined ? defaultDockerHost() : parseDockerHost(values.host);
  const listen = parseListen(values.listen);
  if (!isLoopbackHost(listen.host) && !values['allow-non-loopback']) {
    throw new Error(
      `refusing to listen on non-loopback address ${listen.host}; pass --allow-non-loopback (and put TLS or an SSH tunnel in front)`,
    );
  }
  const staticDir = values['renderer-dir'] ?? fileURLToPath(new URL('../../renderer/dist', import.meta.url));
  const docker = new DockerClient(dockerHost);
  const host = createAppHandlers(docker);
  const server = await startWebServer({
    dispatcher: new ContractDispatcher(contract, host.handlers),
    staticDir,
    host: listen.host,
    port: listen.port,
    token: generateToken(),
    extraHostNames: values['host-name'] ?? [],
    log: (message) => process.stderr.write(`berth-web: ${message}\n`),
  });
  process.stdout.write(`${server.loginUrl}\n`);
  process.stderr.write(`berth-web: serving ${staticDir} for engine ${dockerHost.display}\n`);
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    void Promise.all([server.close(), host.close()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href) await main();
