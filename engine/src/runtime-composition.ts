import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { EngineConfig } from './config/engine-config.js';
import { dataRootPaths } from './config/engine-config.js';
import type { TaskRuntime } from './core/runtime/task-runtime.js';
import type { ExecRuntime } from './core/runtime/exec-runtime.js';
import type { LogReopener } from './core/logs/log-reopener.js';
import type { Logger } from './lib/logger.js';
import { ConmonTaskRuntime } from './drivers/runtime/conmon-task-runtime.js';
import { findExecutable } from './platform/find-executable.js';
import { runCommand } from './platform/run-command.js';
import { runtimeAdvisories } from './drivers/runtime/runtime-advisories.js';

/** Part of the composition root: the task runtime (conmon + runc/crun). */
export async function createTaskRuntime(options: {
  config: EngineConfig;
  logger: Logger;
}): Promise<TaskRuntime & ExecRuntime & LogReopener> {
  const { config, logger } = options;
  const runtimePath = await findRuntime(config);
  const conmonPath = await findExecutable('conmon', ['/usr/bin', '/usr/libexec/podman', '/usr/local/bin', '/usr/sbin']);
  // Attach sockets must fit in sun_path (108 bytes) whatever the data root, and stay put across
  // engine restarts so running containers are found again: a short directory named after the data root.
  const runDir = join('/run/berth', createHash('sha256').update(config.dataRoot).digest('hex').slice(0, 12));
  return new ConmonTaskRuntime(
    { runtimePath, runtimeName: config.runtime, conmonPath, stateDir: dataRootPaths(config.dataRoot).runtimeState, runDir },
    logger,
  );
}

function findRuntime(config: EngineConfig): Promise<string> {
  return findExecutable(config.runtime, ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin']);
}

/**
 * What `RUNTIME --version` says: its commit (docker info's RuncCommit), and the known breakouts
 * fixed after its release, logged at start and listed by `docker info`.
 */
export async function readRuntimeFacts(config: EngineConfig, logger: Logger): Promise<{ warnings: string[]; commit: string }> {
  const version = await runCommand(await findRuntime(config), ['--version'], { allowFailure: true }).catch(() => undefined);
  const output = version?.stdout ?? '';
  const warnings = runtimeAdvisories(config.runtime, output);
  for (const warning of warnings) logger.warn({ runtime: config.runtime }, warning);
  return { warnings, commit: /^commit:\s*(\S+)/m.exec(output)?.[1] ?? '' };
}
