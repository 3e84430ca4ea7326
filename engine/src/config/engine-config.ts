import { join } from 'node:path';
import { invalidArgument } from '@berth/common';

export type RuntimeName = 'runc' | 'crun';

export interface EngineConfig {
  dataRoot: string;
  /** Path of the UNIX socket serving the Docker API. */
  socketPath: string;
  runtime: RuntimeName;
  insecureRegistries: string[];
  registryMirrors: string[];
  logLevel: string;
}

export const defaultEngineConfig: EngineConfig = {
  dataRoot: '/var/lib/berth',
  socketPath: '/run/berth/docker.sock',
  runtime: 'runc',
  insecureRegistries: [],
  registryMirrors: [],
  logLevel: process.env['BERTH_LOG_LEVEL'] ?? 'info',
};

export const engineUsage = `Usage: berth engine [OPTIONS]

Runs the Berth container engine in the foreground (like dockerd).

Options:
  --data-root DIR             Root of persistent state (default /var/lib/berth)
  -H, --host unix:///PATH     Socket to serve the Docker API on (default unix:///run/berth/docker.sock)
  --runtime runc|crun         OCI runtime (default runc)
  --insecure-registry H:P     Registry to reach over plain HTTP (repeatable; 127.0.0.0/8 always is)
  --registry-mirror URL       Mirror for docker.io (repeatable)
  --log-level LEVEL           debug, info, warn or error (default info)
  -h, --help                  Print this help
`;

/** Parses `berth engine` flags (both `--flag value` and `--flag=value`). */
export function parseEngineArgs(argv: readonly string[]): EngineConfig | 'help' {
  const config: EngineConfig = { ...defaultEngineConfig, insecureRegistries: [], registryMirrors: [] };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? '';
    const equals = argument.indexOf('=');
    const flag = argument.startsWith('--') && equals > 0 ? argument.slice(0, equals) : argument;
    const inlineValue = argument.startsWith('--') && equals > 0 ? argument.slice(equals + 1) : undefined;
    const value = (): string => {
      if (inlineValue !== undefined) return inlineValue;
      const next = argv[++index];
      if (next === undefined) throw invalidArgument(`flag needs an argument: ${flag}`);
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--data-root':
        config.dataRoot = value();
        break;
      case '-H':
      case '--host': {
        const host = value();
        if (!host.startsWith('unix://'))
          throw invalidArgument(`unsupported host "${host}": only unix:///path sockets are served`);
        config.socketPath = host.slice('unix://'.length);
        break;
      }
      case '--runtime': {
        const runtime = value();
        if (runtime !== 'runc' && runtime !== 'crun') throw invalidArgument(`unknown runtime "${runtime}": use runc or crun`);
        config.runtime = runtime;
        break;
      }
      case '--insecure-registry':
        config.insecureRegistries.push(value());
        break;
      case '--registry-mirror': {
        const mirror = value();
        try {
          new URL(mirror);
        } catch {
          throw invalidArgument(`invalid registry mirror "${mirror}": expected a URL such as https://mirror.example:5000`);
        }
        config.registryMirrors.push(mirror.replace(/\/+$/, ''));
        break;
      }
      case '--log-level':
        config.logLevel = value();
        break;
      default:
        throw invalidArgument(`unknown flag: ${argument}\n\n${engineUsage}`);
    }
  }
  if (!config.socketPath.startsWith('/')) throw invalidArgument('the socket path must be absolute');
  return config;
}

/** Fixed layout of the data root. */
export function dataRootPaths(dataRoot: string) {
  return {
    lockFile: join(dataRoot, 'engine.lock'),
    database: join(dataRoot, 'metadata.db'),
    containers: join(dataRoot, 'containers'),
    /** Journal of removed containers whose host resources are still being reclaimed. */
    reaping: join(dataRoot, 'reaping'),
    content: join(dataRoot, 'content'),
    snapshots: join(dataRoot, 'snapshots'),
    runtimeState: join(dataRoot, 'runtime'),
  } as const;
}
