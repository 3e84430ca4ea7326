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
import { runsExecFifoProtocol } from './drivers/runtime/exec-fifo-start.js';

/**
 * Part of the composition root: the task runtime (conmon + runc/crun), and what `RUNTIME --version`
 * says, read once: its commit (docker info's RuncCommit), the known breakouts fixed after its
 * release (logged at start and listed by `docker info`), and whether it is a runc whose tasks
 * start through exec.fifo.
 */
export async function createTaskRuntime(options: {
  config: EngineConfig;
  logger: Logger;
}): Promise<{ runtime: TaskRuntime & ExecRuntime & LogReopener; facts: { warnings: string[]; commit: string } }> {
  const { config, logger } = options;
  const runtimePath = await findExecutable(config.runtime, [
    '/usr/sbin',
    '/usr/bin',
    '/usr/local/sbin',
    '/usr/local/bin',
    '/sbin',
    '/bin',
  ]);
  const conmonPath = await findExecutable('conmon', ['/usr/bin', '/usr/libexec/podman', '/usr/local/bin', '/usr/sbin']);
  const version = (await runCommand(runtimePath, ['--version'], { allowFailure: true }).catch(() => undefined))?.stdout ?? '';
  const warnings = runtimeAdvisories(config.runtime, version);
  for (const warning of warnings) logger.warn({ runtime: config.runtime }, warning);
  // Attach sockets must fit in sun_path (108 bytes) whatever the data root, and stay put across
  // engine restarts so running containers are found again: a short directory named after the data root.
  const runDir = join('/run/berth', createHash('sha256').update(config.dataRoot).digest('hex').slice(0, 12));
  const runtime = new ConmonTaskRuntime(
    {
      runtimePath,
      runtimeName: config.runtime,
      conmonPath,
      stateDir: dataRootPaths(config.dataRoot).runtimeState,
      runDir,
      execFifoStart: runsExecFifoProtocol(version),
    },
    logger,
  );
  return { runtime, facts: { warnings, commit: /^commit:\s*(\S+)/m.exec(version)?.[1] ?? '' } };
}
