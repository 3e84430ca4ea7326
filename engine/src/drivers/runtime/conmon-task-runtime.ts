import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, invalidArgument, notFound } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import { writeFileAtomic } from '../../lib/atomic-file.js';
import { spawnMonitor } from '../../platform/spawn-monitor.js';
import type {
  RuntimeStatus,
  TaskAttachment,
  TaskCreated,
  TaskExit,
  TaskRuntime,
  TaskSpec,
} from '../../core/runtime/task-runtime.js';
import type { OciLinuxResources } from '../../core/runtime/oci-spec.js';
import type { ExecProcess, ExecProcessSpec, ExecRuntime } from '../../core/runtime/exec-runtime.js';
import type { LogReopener } from '../../core/logs/log-reopener.js';
import { startConmonExec } from './conmon-exec.js';
import { ControlQueue, writeControlMessage } from './control-fifo.js';
import { connectAttachSocket } from './attach-socket.js';
import { classifyCreateFailure } from './create-error.js';
import { ExitDirectoryWatcher } from './exit-watcher.js';
import { startThroughExecFifo } from './exec-fifo-start.js';
import { isMonitorAlive, readPidFile } from './monitor-process.js';
import { RuntimeCli, runtimeMessage } from './runtime-cli.js';
import { signalArgument } from './signal-argument.js';
import { bundleFiles, checkTaskId, TaskLayout } from './task-layout.js';

export interface ConmonRuntimeConfig {
  /** OCI runtime binary, e.g. /usr/sbin/runc or /usr/bin/crun. */
  runtimePath: string;
  /** Short name ('runc', 'crun'): names the runtime's state directory under stateDir. */
  runtimeName: string;
  conmonPath: string;
  /** Per-data-root directory for runtime state, exit files and task records. */
  stateDir: string;
  /** Per-engine directory for attach socket links; keep it short (sun_path is 108 bytes). */
  runDir: string;
  /** Pass --systemd-cgroup to the runtime (cgroupsPath is then `slice:prefix:name`). */
  systemdCgroup?: boolean;
  /** conmon --log-size-max, in bytes. */
  logSizeMax?: number;
  /** Start tasks through their exec.fifo instead of `RUNTIME start` (see exec-fifo-start.ts): for runc 1.0-1.3. */
  execFifoStart?: boolean;
}

/** What a later engine process needs to find a task again; stored as <taskDir>/task.json. */
interface TaskRecord {
  containerId: string;
  bundleDir: string;
  logPath: string;
  tty: boolean;
  openStdin: boolean;
  pid: number;
  monitorPid: number;
  runtimePath: string;
  createdAt: string;
}

/** dockerd's answer when an exit code was lost (monitor gone, no exit file). */
const unknownExitCode = 255;

/**
 * TaskRuntime over conmon and a runc-compatible runtime. conmon owns the task's stdio, log file
 * and exit code and survives the engine, so every method works from files alone and a restarted
 * engine can pick up tasks an earlier process created.
 */
export class ConmonTaskRuntime implements TaskRuntime, ExecRuntime, LogReopener {
  private readonly layout: TaskLayout;
  private readonly cli: RuntimeCli;
  private readonly exits: ExitDirectoryWatcher;
  private readonly control = new ControlQueue();
  private readonly logger: Logger;
  private directoriesReady: Promise<void> | undefined;

  constructor(
    private readonly config: ConmonRuntimeConfig,
    logger: Logger,
  ) {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(config.runtimeName)) throw invalidArgument(`invalid runtime name "${config.runtimeName}"`);
    this.logger = logger.child({ component: 'conmon-task-runtime', runtime: config.runtimeName });
    this.layout = new TaskLayout(config.stateDir, config.runDir, config.runtimeName);
    this.cli = new RuntimeCli(config.runtimePath, this.layout.runtimeRoot);
    this.exits = new ExitDirectoryWatcher(this.layout.exitsDir, this.logger);
  }

  async create(spec: TaskSpec, signal?: AbortSignal): Promise<TaskCreated> {
    const id = spec.containerId;
    checkTaskId(id);
    await this.ensureDirectories();
    await this.clearStaleTask(id, signal);

    const ociSpec = structuredClone(spec.spec);
    ociSpec.process.terminal = spec.tty;
    if (spec.tty && spec.consoleSize !== undefined)
      ociSpec.process.consoleSize = { height: spec.consoleSize.rows, width: spec.consoleSize.columns };
    const taskDir = this.layout.taskDir(id);
    await Promise.all([
      mkdir(taskDir, { recursive: true, mode: 0o700 }),
      // Regenerated on every start, so no fsync: a crash before the task exists loses nothing.
      writeFile(join(spec.bundleDir, 'config.json'), JSON.stringify(ociSpec), { mode: 0o600 }),
    ]);

    const log = this.logger.child({ containerId: id });
    let result;
    try {
      result = await spawnMonitor(this.config.conmonPath, this.conmonArgs(spec), {
        cwd: taskDir,
        env: { PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
        syncPipeEnv: '_OCI_SYNCPIPE',
        ...(signal !== undefined ? { signal } : {}),
      });
    } catch (error) {
      await this.abandonCreate(id, spec.bundleDir, log);
      throw error;
    }

    const reported = parseSyncLine(result.syncLine);
    if (reported === undefined || reported.pid <= 0) {
      const message =
        reported?.message ??
        (await this.readRuntimeLog(id)) ??
        (result.stderr.trim() || `conmon exited with status ${String(result.exitCode)}`);
      log.warn({ message, conmonExit: result.exitCode }, 'task create failed');
      await this.abandonCreate(id, spec.bundleDir, log);
      throw classifyCreateFailure(runtimeMessage(message) || message);
    }

    const monitorPid = (await readPidFile(this.layout.monitorPidFile(id))) ?? 0;
    const record: TaskRecord = {
      containerId: id,
      bundleDir: spec.bundleDir,
      logPath: spec.logPath,
      tty: spec.tty,
      openStdin: spec.openStdin,
      pid: reported.pid,
      monitorPid,
      runtimePath: this.config.runtimePath,
      createdAt: new Date().toISOString(),
    };
    // A task never outlives its host: no fsync (see AtomicWriteOptions), on the way to `start`.
    await writeFileAtomic(this.layout.taskRecord(id), JSON.stringify(record), 0o600, { durable: false });
    log.debug({ pid: reported.pid, monitorPid }, 'task created');
    return { pid: reported.pid, monitorPid };
  }

  async attach(containerId: string): Promise<TaskAttachment> {
    const record = await this.loadRecord(containerId);
    return connectAttachSocket(record.bundleDir, this.logger.child({ containerId }));
  }

  async exec(containerId: string, spec: ExecProcessSpec, signal?: AbortSignal): Promise<ExecProcess> {
    const record = await this.loadRecord(containerId);
    const status = await this.cli.state(containerId, signal);
    if (status !== 'running') throw new AppError('conflict', `Container ${containerId} is not running`);
    return startConmonExec(
      {
        conmonPath: this.config.conmonPath,
        runtimePath: this.config.runtimePath,
        runtimeRoot: this.layout.runtimeRoot,
        socketsDir: this.layout.socketsDir,
      },
      { containerId, bundleDir: record.bundleDir, sessionDir: this.layout.execDir(containerId, spec.execId) },
      spec,
      this.logger,
      signal,
    );
  }

  /** conmon's control message 2 closes the log file and creates a new one at the log path. */
  async reopenLog(containerId: string): Promise<void> {
    const record = await this.loadRecord(containerId);
    await writeControlMessage(record.bundleDir, '2 0 0\n');
  }

  async start(containerId: string): Promise<void> {
    checkTaskId(containerId);
    if (this.config.execFifoStart === true) {
      const record = await this.loadRecord(containerId);
      if (await startThroughExecFifo(this.layout.runtimeRoot, containerId, record.pid)) return;
    }
    await this.cli.start(containerId);
  }

  async kill(containerId: string, signal: string | number, options: { all?: boolean } = {}): Promise<void> {
    checkTaskId(containerId);
    await this.cli.kill(containerId, signalArgument(signal), options.all === true);
  }

  async pause(containerId: string): Promise<void> {
    checkTaskId(containerId);
    await this.cli.pause(containerId);
  }

  async resume(containerId: string): Promise<void> {
    checkTaskId(containerId);
    await this.cli.resume(containerId);
  }

  /**
   * The resources go through a file, not stdin: crun reads `-` through /dev/stdin, and neither
   * runtime can open /proc/self/fd/0 when stdin is the socket Node gives a child.
   */
  async update(containerId: string, resources: OciLinuxResources): Promise<void> {
    checkTaskId(containerId);
    const file = join(this.layout.taskDir(containerId), `resources-${randomBytes(6).toString('hex')}.json`);
    await writeFile(file, JSON.stringify(resources), { mode: 0o600 });
    try {
      await this.cli.update(containerId, file);
    } finally {
      await rm(file, { force: true });
    }
  }

  async pids(containerId: string): Promise<number[]> {
    checkTaskId(containerId);
    return this.cli.pids(containerId);
  }

  /** conmon's control FIFO takes `<type> <height> <width>\n`; type 1 is a window resize. */
  resize(containerId: string, size: { rows: number; columns: number }): Promise<void> {
    // Queued at call time, before any await, so resizes apply in the order they were asked for.
    return this.control.run(containerId, async () => {
      const record = await this.loadRecord(containerId);
      if (!record.tty) throw new AppError('conflict', `task ${containerId} has no terminal`);
      const rows = Math.trunc(size.rows);
      const columns = Math.trunc(size.columns);
      if (!(rows >= 0 && columns >= 0 && rows <= 65535 && columns <= 65535))
        throw invalidArgument(`invalid terminal size ${rows}x${columns}`);
      try {
        await writeControlMessage(record.bundleDir, `1 ${rows} ${columns}\n`);
      } catch (error) {
        throw new AppError('conflict', `cannot resize task ${containerId}: it is not running`, { cause: error });
      }
    });
  }

  async status(containerId: string): Promise<RuntimeStatus | undefined> {
    checkTaskId(containerId);
    return this.cli.state(containerId);
  }

  async waitExit(containerId: string, signal?: AbortSignal): Promise<TaskExit> {
    const record = await this.loadRecord(containerId);
    return this.exits.wait(containerId, () => this.checkExit(record), signal);
  }

  async readExit(containerId: string): Promise<TaskExit | undefined> {
    const record = await this.loadRecord(containerId);
    return this.checkExit(record);
  }

  async delete(containerId: string, options: { force?: boolean } = {}): Promise<void> {
    checkTaskId(containerId);
    const record = await this.tryLoadRecord(containerId);
    const log = this.logger.child({ containerId });
    // A forced delete needs no look first (`delete --force` handles every state): one spawn fewer per exit.
    const status = options.force === true ? 'unknown' : await this.cli.state(containerId);
    if ((status === 'running' || status === 'paused') && options.force !== true)
      throw new AppError('conflict', `cannot delete task ${containerId}: it is ${status}`);
    if (status !== undefined) {
      try {
        // --force kills a live task (SIGKILL) first; a created task is killed by delete itself.
        await this.cli.delete(containerId, options.force === true || status !== 'stopped');
      } catch (error) {
        if (!(AppError.is(error) && error.kind === 'not-found')) throw error;
      }
    }
    if (record !== undefined) await this.waitForMonitorExit(record, log);
    await this.removeTaskFiles(containerId, record?.bundleDir);
    log.debug('task deleted');
  }

  private conmonArgs(spec: TaskSpec): string[] {
    const id = spec.containerId;
    const args = [
      '--api-version',
      '1',
      '--cid',
      id,
      '--cuuid',
      id,
      '--name',
      id,
      '--runtime',
      this.config.runtimePath,
      '--bundle',
      spec.bundleDir,
      '--container-pidfile',
      join(spec.bundleDir, 'pidfile'),
      '--conmon-pidfile',
      this.layout.monitorPidFile(id),
      '--log-path',
      `k8s-file:${spec.logPath}`,
      '--exit-dir',
      this.layout.exitsDir,
      '--persist-dir',
      this.layout.taskDir(id),
      '--socket-dir-path',
      this.layout.socketsDir,
      // Global runtime flags: our own state root, and machine-readable errors in a file.
      '--runtime-arg',
      `--root=${this.layout.runtimeRoot}`,
      '--runtime-arg',
      '--log-format=json',
      '--runtime-arg',
      `--log=${this.layout.runtimeLog(id)}`,
    ];
    if (spec.openStdin) {
      args.push('--stdin');
      // Without StdinOnce the task's stdin outlives any one attached client. With a TTY it always
      // does (dockerd closes stdin on client EOF only for `CloseStdin && !Tty`), so a client that
      // detaches with the detach keys leaves the shell running.
      if (!spec.stdinOnce || spec.tty) args.push('--leave-stdin-open');
    }
    if (spec.tty) args.push('--terminal');
    if (this.config.systemdCgroup === true) args.push('--systemd-cgroup');
    if (this.config.logSizeMax !== undefined) args.push('--log-size-max', String(this.config.logSizeMax));
    return args;
  }

  /**
   * The exit file if conmon wrote one. If the monitor is gone without writing it (killed, host
   * trouble), the code is lost: report dockerd's 255 once the runtime agrees the task is not
   * alive; an orphaned but live task keeps the caller waiting.
   */
  private async checkExit(record: TaskRecord): Promise<TaskExit | undefined> {
    const recorded = await this.readExitFile(record.containerId);
    if (recorded !== undefined) return recorded;
    if (record.monitorPid > 0 && (await isMonitorAlive(record.monitorPid, record.containerId))) return undefined;
    // conmon writes the exit file just before it exits: look again now that it is gone.
    const late = await this.readExitFile(record.containerId);
    if (late !== undefined) return late;
    const status = await this.cli.state(record.containerId).catch(() => undefined);
    if (status === 'running' || status === 'paused' || status === 'created') return undefined;
    this.logger.warn({ containerId: record.containerId }, 'monitor exited without an exit file; exit code unknown');
    return {
      exitCode: unknownExitCode,
      finishedAt: new Date(),
      oomKilled: await exists(this.layout.oomFile(record.containerId)),
    };
  }

  private async readExitFile(id: string): Promise<TaskExit | undefined> {
    const path = this.layout.exitFile(id);
    let text: string;
    let finishedAt: Date;
    try {
      text = await readFile(path, 'utf8');
      finishedAt = (await stat(path)).mtime;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const code = Number.parseInt(text.trim(), 10);
    // conmon writes -1 when it killed the task on its own timeout; treat as SIGKILL.
    const exitCode = Number.isSafeInteger(code) ? (code < 0 ? 137 : code) : unknownExitCode;
    return { exitCode, finishedAt, oomKilled: await exists(this.layout.oomFile(id)) };
  }

  private async loadRecord(id: string): Promise<TaskRecord> {
    checkTaskId(id);
    const record = await this.tryLoadRecord(id);
    if (record === undefined) throw notFound(`no task for container ${id}`);
    return record;
  }

  private async tryLoadRecord(id: string): Promise<TaskRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.layout.taskRecord(id), 'utf8')) as TaskRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AppError('internal', `task record of ${id} is unreadable`, { cause: error });
    }
  }

  /**
   * A container that restarts reuses its id: drop what its previous run left (exit file, a
   * stopped runtime entry). A live one is a conflict, never silently replaced.
   */
  private async clearStaleTask(id: string, signal?: AbortSignal): Promise<void> {
    // Asking the runtime costs a process spawn on every start; its state directory tells for free
    // whether there is anything to ask about.
    const known = await stat(join(this.layout.runtimeRoot, id)).then(
      () => true,
      () => false,
    );
    const status = known ? await this.cli.state(id, signal) : undefined;
    if (status === 'running' || status === 'paused' || status === 'created')
      throw new AppError('conflict', `a task for container ${id} already exists (${status})`);
    if (status === 'stopped') await this.cli.delete(id, true, signal);
    const record = await this.tryLoadRecord(id);
    if (record !== undefined) await this.waitForMonitorExit(record, this.logger.child({ containerId: id }));
    await this.removeTaskFiles(id, record?.bundleDir);
  }

  /** After a failed or canceled create: stop whatever started, leave no files behind. */
  private async abandonCreate(id: string, bundleDir: string, log: Logger): Promise<void> {
    const monitorPid = await readPidFile(this.layout.monitorPidFile(id));
    if (monitorPid !== undefined && (await isMonitorAlive(monitorPid, id))) {
      try {
        process.kill(monitorPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await this.cli.delete(id, true).catch(() => undefined);
    await this.removeTaskFiles(id, bundleDir).catch((error: unknown) => log.warn({ err: error }, 'cleanup after failed create'));
  }

  private async readRuntimeLog(id: string): Promise<string | undefined> {
    try {
      const text = runtimeMessage(await readFile(this.layout.runtimeLog(id), 'utf8'));
      return text === '' ? undefined : text;
    } catch {
      return undefined;
    }
  }

  /** conmon exits right after writing the exit file; give it a moment, then stop waiting on it. */
  private async waitForMonitorExit(record: TaskRecord, log: Logger): Promise<void> {
    if (record.monitorPid <= 0) return;
    // Usually conmon is gone within a few milliseconds: poll fast first, then back off (5 s in all).
    for (let waited = 0, delay = 1; waited < 5000; waited += delay, delay = Math.min(delay * 2, 50)) {
      if (!(await isMonitorAlive(record.monitorPid, record.containerId))) return;
      await sleep(delay);
    }
    log.warn({ monitorPid: record.monitorPid }, 'monitor still running after its task ended; killing it');
    try {
      process.kill(record.monitorPid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }

  /** Independent files: removed together, as every start of a restarted container pays for it. */
  private async removeTaskFiles(id: string, bundleDir: string | undefined): Promise<void> {
    await Promise.all([
      rm(this.layout.exitFile(id), { force: true }),
      rm(this.layout.taskDir(id), { recursive: true, force: true }),
      rm(this.layout.socketLink(id), { force: true }),
      ...(bundleDir !== undefined ? bundleFiles.map((name) => rm(join(bundleDir, name), { force: true })) : []),
    ]);
  }

  private ensureDirectories(): Promise<void> {
    this.directoriesReady ??= (async () => {
      for (const dir of [this.layout.runtimeRoot, this.layout.exitsDir, this.layout.tasksDir, this.layout.socketsDir])
        await mkdir(dir, { recursive: true, mode: 0o700 });
    })().catch((error: unknown) => {
      this.directoriesReady = undefined;
      throw new AppError('unavailable', `cannot create runtime directories: ${(error as Error).message}`, { cause: error });
    });
    return this.directoriesReady;
  }
}

function parseSyncLine(line: string | undefined): { pid: number; message?: string } | undefined {
  if (line === undefined) return undefined;
  try {
    const parsed = JSON.parse(line) as { data?: unknown; pid?: unknown; message?: unknown };
    const value = typeof parsed.data === 'number' ? parsed.data : typeof parsed.pid === 'number' ? parsed.pid : undefined;
    if (value === undefined) return undefined;
    return typeof parsed.message === 'string' ? { pid: value, message: parsed.message } : { pid: value };
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
