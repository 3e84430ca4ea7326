import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import { spawnExecMonitor, type ExecMonitorPipes } from '../../platform/spawn-exec-monitor.js';
import { ExecStartError, type ExecProcess, type ExecProcessSpec } from '../../core/runtime/exec-runtime.js';
import type { OciProcess } from '../../core/runtime/oci-spec.js';
import type { TaskAttachment } from '../../core/runtime/task-runtime.js';
import { connectAttachSocket } from './attach-socket.js';
import { ControlQueue, writeControlMessage } from './control-fifo.js';
import { runtimeMessage } from './runtime-cli.js';
import { checkTaskId } from './task-layout.js';

export interface ConmonExecConfig {
  conmonPath: string;
  runtimePath: string;
  /** `runc --root`. */
  runtimeRoot: string;
  /** conmon --socket-dir-path (short: conmon symlinks `<dir>/<exec id>` to the session directory). */
  socketsDir: string;
}

/** What the task runtime knows about the task an exec joins. */
export interface ExecTarget {
  containerId: string;
  /** The task's bundle: its config.json gives the process's security settings. */
  bundleDir: string;
  /** Directory for this session's files (process.json, attach socket, ctl FIFO, pid and exit files). */
  sessionDir: string;
}

/** conmon reports on its pipes as `{"data": N}` or `{"data": N, "message": "..."}`. */
function parsePipeMessage(line: string | undefined): { data: number; message?: string } | undefined {
  if (line === undefined) return undefined;
  try {
    const parsed = JSON.parse(line) as { data?: unknown; message?: unknown };
    if (typeof parsed.data !== 'number') return undefined;
    return typeof parsed.message === 'string' ? { data: parsed.data, message: parsed.message } : { data: parsed.data };
  } catch {
    return undefined;
  }
}

/**
 * `docker exec` through conmon (`--exec --exec-process-spec`), as podman does: conmon runs
 * `<runtime> exec --detach` and holds the process's stdio and exit code. With `--exec-attach`
 * conmon opens the attach socket and waits for a second start-pipe message before it runs the
 * process, so a client connected in between sees all output.
 */
export async function startConmonExec(
  config: ConmonExecConfig,
  target: ExecTarget,
  spec: ExecProcessSpec,
  logger: Logger,
  signal?: AbortSignal,
): Promise<ExecProcess> {
  checkTaskId(spec.execId);
  const log = logger.child({ containerId: target.containerId, execId: spec.execId });
  const process = await execProcessSpec(target.bundleDir, spec);
  const dir = target.sessionDir;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'process.json'), JSON.stringify(process), { mode: 0o600 });

  const args = [
    '--api-version',
    '1',
    '--cid',
    target.containerId,
    '--cuuid',
    spec.execId,
    '--name',
    target.containerId,
    '--runtime',
    config.runtimePath,
    '--bundle',
    dir,
    '--container-pidfile',
    join(dir, 'pid'),
    '--conmon-pidfile',
    join(dir, 'conmon.pid'),
    // Exec output is the client's, not the container log's (dockerd keeps it out of `docker logs`).
    '--log-path',
    'none',
    // No --exit-dir: conmon names that file after --cid, which would clobber the task's own exit file.
    '--persist-dir',
    dir,
    '--socket-dir-path',
    config.socketsDir,
    '--runtime-arg',
    `--root=${config.runtimeRoot}`,
    '--runtime-arg',
    '--log-format=json',
    '--runtime-arg',
    `--log=${join(dir, 'runtime.log')}`,
    '--exec',
    '--exec-process-spec',
    join(dir, 'process.json'),
  ];
  if (spec.attach) args.push('--exec-attach');
  if (spec.tty) args.push('--terminal');
  if (spec.stdin && spec.attach) args.push('--stdin');

  if (signal?.aborted === true) throw new AppError('canceled', 'exec canceled');
  const pipes = spawnExecMonitor(config.conmonPath, args, {
    cwd: dir,
    env: { PATH: globalThis.process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    attachPipe: spec.attach,
  });
  let attachment: TaskAttachment | undefined;
  try {
    // First start message: conmon proceeds (forks away from us and prepares its sockets).
    pipes.signalStart();
    if (pipes.attach !== undefined) {
      const ready = parsePipeMessage(await pipes.attach.next());
      if (ready === undefined || ready.data < 0)
        throw await monitorFailure(pipes, dir, 'conmon did not open the exec attach socket');
      attachment = await connectAttachSocket(dir, log);
      // Second start message: run the process now that its output has somewhere to go.
      pipes.signalStart();
    }
    const started = parsePipeMessage(await pipes.sync.next());
    if (started === undefined || started.data <= 0) {
      const detail = started?.message ?? (await readRuntimeLog(dir)) ?? (await pipes.firstHalf).stderr.trim();
      throw classifyExecFailure(detail !== '' ? detail : 'the runtime did not start the process');
    }
    const pid = started.data;
    const control = new ControlQueue();
    log.debug({ pid }, 'exec process started');
    return {
      pid,
      attachment,
      exited: waitForExit(pipes, dir, log),
      resize: (size) => {
        if (!spec.tty) return Promise.resolve();
        // In call order, like the task's resizes (see ControlQueue).
        return control.run(spec.execId, () =>
          writeControlMessage(dir, `1 ${Math.trunc(size.rows)} ${Math.trunc(size.columns)}\n`),
        );
      },
      kill: (signalName) => {
        try {
          globalThis.process.kill(pid, signalName === 'KILL' ? 'SIGKILL' : 'SIGTERM');
        } catch {
          // already gone
        }
      },
    };
  } catch (error) {
    attachment?.close();
    pipes.close();
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** The exit code from the sync pipe; the persisted exit file if the pipe broke. Cleans up the session. */
async function waitForExit(pipes: ExecMonitorPipes, dir: string, log: Logger): Promise<number> {
  try {
    const message = parsePipeMessage(await pipes.sync.next());
    if (message !== undefined) return message.data < 0 ? 137 : message.data;
    const text = await readFile(join(dir, 'exit'), 'utf8').catch(() => undefined);
    const code = text !== undefined ? Number.parseInt(text.trim(), 10) : Number.NaN;
    if (Number.isSafeInteger(code)) return code < 0 ? 137 : code;
    log.warn('exec monitor ended without an exit code');
    return 255;
  } finally {
    pipes.close();
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function monitorFailure(pipes: ExecMonitorPipes, dir: string, fallback: string): Promise<AppError> {
  const sync = parsePipeMessage(await pipes.sync.next());
  const detail = sync?.message ?? (await readRuntimeLog(dir)) ?? (await pipes.firstHalf).stderr.trim();
  return new AppError('internal', detail !== '' ? detail : fallback);
}

async function readRuntimeLog(dir: string): Promise<string | undefined> {
  try {
    const text = runtimeMessage(await readFile(join(dir, 'runtime.log'), 'utf8'));
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** dockerd's translateContainerdStartErr for exec: 127 for a missing command, 126 when it cannot run. */
export function classifyExecFailure(detail: string): ExecStartError {
  const message = `OCI runtime exec failed: ${runtimeMessage(detail) || detail}: unknown`;
  if (/executable file not found|no such file or directory/i.test(detail)) return new ExecStartError(message, 127);
  if (/permission denied/i.test(detail)) return new ExecStartError(message, 126);
  return new ExecStartError(message, 128);
}

/** The task's own process settings (capabilities, rlimits, no_new_privs, AppArmor) with the exec's command. */
async function execProcessSpec(bundleDir: string, spec: ExecProcessSpec): Promise<OciProcess> {
  let base: Partial<OciProcess> = {};
  try {
    base = (JSON.parse(await readFile(join(bundleDir, 'config.json'), 'utf8')) as { process?: OciProcess }).process ?? {};
  } catch (error) {
    throw new AppError('conflict', 'the task has no runtime configuration; is it running?', { cause: error });
  }
  const process: OciProcess = {
    ...base,
    terminal: spec.tty,
    args: spec.args,
    env: spec.env,
    cwd: spec.cwd,
    user: {
      uid: spec.user.uid,
      gid: spec.user.gid,
      ...(spec.user.additionalGids.length > 0 ? { additionalGids: spec.user.additionalGids } : {}),
    },
  };
  delete process.consoleSize;
  if (spec.tty && spec.consoleSize !== undefined && spec.consoleSize.rows > 0 && spec.consoleSize.columns > 0)
    process.consoleSize = { height: spec.consoleSize.rows, width: spec.consoleSize.columns };
  if (spec.capabilities !== undefined) {
    const caps = spec.capabilities;
    process.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: caps };
  }
  return process;
}
