import { join } from 'node:path';
import { invalidArgument } from '@berth/common';

/**
 * Where a ConmonTaskRuntime keeps its files. Everything is derived from the configured
 * directories and the container id, so a later engine process finds the same files.
 *
 *   <stateDir>/<runtimeName>/       `runc --root`: the runtime's own state, per data root
 *   <stateDir>/exits/<id>           conmon --exit-dir: exit code, one file per task
 *   <stateDir>/tasks/<id>/          conmon --persist-dir and cwd: exit, oom, task.json, conmon.pid
 *   <stateDir>/tasks/<id>/execs/<e> one exec session: process.json, attach, ctl, pid, exit
 *   <runDir>/s/<id>                 conmon --socket-dir-path: symlink to the bundle
 *   <bundleDir>/config.json         OCI spec; conmon adds attach, ctl, winsz, pidfile beside it
 */
export class TaskLayout {
  constructor(
    readonly stateDir: string,
    readonly runDir: string,
    readonly runtimeName: string,
  ) {}

  get runtimeRoot(): string {
    return join(this.stateDir, this.runtimeName);
  }

  get exitsDir(): string {
    return join(this.stateDir, 'exits');
  }

  get tasksDir(): string {
    return join(this.stateDir, 'tasks');
  }

  /** Kept short: conmon makes `<socketsDir>/<id>` a symlink to the bundle. */
  get socketsDir(): string {
    return join(this.runDir, 's');
  }

  exitFile(id: string): string {
    return join(this.exitsDir, id);
  }

  taskDir(id: string): string {
    return join(this.tasksDir, id);
  }

  taskRecord(id: string): string {
    return join(this.taskDir(id), 'task.json');
  }

  /** An exec session's files; inside the task directory so they go with the task. */
  execDir(id: string, execId: string): string {
    return join(this.taskDir(id), 'execs', execId);
  }

  monitorPidFile(id: string): string {
    return join(this.taskDir(id), 'conmon.pid');
  }

  oomFile(id: string): string {
    return join(this.taskDir(id), 'oom');
  }

  runtimeLog(id: string): string {
    return join(this.taskDir(id), 'runtime.log');
  }

  socketLink(id: string): string {
    return join(this.socketsDir, id);
  }
}

/** Files the monitor and the runtime create in a bundle; delete() removes them, nothing else. */
export const bundleFiles = ['config.json', 'pidfile', 'attach', 'ctl', 'winsz'] as const;

/** Ids end up in paths and on command lines: the same alphabet as Docker's container ids and names. */
export function checkTaskId(id: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(id)) throw invalidArgument(`invalid task id "${id}"`);
}
