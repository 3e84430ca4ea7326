import { containerEvent } from '../events/container-event.js';
import { randomBytes } from 'node:crypto';
import { AppError, conflict, invalidArgument, notFound } from '@berth/common';
import type { Logger } from '../../lib/logger.js';
import type { Container } from '../../core/containers/container.js';
import { ExecStartError, type ExecProcess, type ExecRuntime } from '../../core/runtime/exec-runtime.js';
import type { AttachClient } from '../containers/attach-hub.js';
import { allCapabilities } from '../containers/capabilities.js';
import { daemonEnvironment } from '../containers/oci-spec-builder.js';
import { resolveUser } from '../containers/user-resolver.js';
import type { EventBus } from '../events/event-bus.js';

/** The body of `POST /containers/{id}/exec`, as the API defines it. */
export interface ExecConfig {
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Privileged?: boolean;
}

/** One exec session (dockerd's ExecConfig): created, then started once. */
export interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  /** Undefined until the process has exited (or failed to start). */
  exitCode: number | undefined;
  pid: number;
  process: ExecProcess | undefined;
  /** The latest terminal size the client asked for; a resize may arrive before the process runs. */
  size?: { rows: number; columns: number };
}

/** How exec finds containers (ContainerService implements it). */
export interface ExecContainers {
  get(reference: string): Container;
}

export interface ExecServiceOptions {
  containers: ExecContainers;
  runtime: ExecRuntime;
  events: EventBus;
  /** The mounted root filesystem of a container (for resolving `--user` names). */
  rootfsOf: (containerId: string) => string;
  logger: Logger;
}

/** Exited sessions kept per container for `GET /exec/{id}/json` (dockerd keeps them until the container goes). */
const keptExitedPerContainer = 64;

/** Result of a command run for the engine itself (healthchecks). */
export interface CommandRun {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

/** `docker exec`: sessions created against a running container, started (attached or detached), inspected. */
export class ExecService {
  private readonly instances = new Map<string, ExecInstance>();
  private readonly logger: Logger;

  constructor(private readonly options: ExecServiceOptions) {
    this.logger = options.logger.child({ component: 'exec' });
    options.events.subscribe((event) => {
      if (event.type !== 'container') return;
      // A new run of the container or its removal ends the previous sessions' lives.
      if (event.action === 'destroy' || event.action === 'start') this.forgetContainer(event.actor.id, event.action === 'start');
    });
  }

  create(containerReference: string, config: ExecConfig): ExecInstance {
    const container = this.options.containers.get(containerReference);
    if (!Array.isArray(config.Cmd) || config.Cmd.length === 0) throw invalidArgument('No exec command specified');
    checkRunning(container);
    const instance: ExecInstance = {
      id: randomBytes(32).toString('hex'),
      containerId: container.id,
      config: { ...config, Cmd: [...config.Cmd] },
      running: false,
      exitCode: undefined,
      pid: 0,
      process: undefined,
    };
    this.instances.set(instance.id, instance);
    this.publish(container, `exec_create: ${execCommandText(config.Cmd)}`, instance.id);
    return instance;
  }

  get(id: string): ExecInstance {
    const instance = this.instances.get(id);
    if (instance === undefined) throw notFound(`No such exec instance: ${id}`);
    return instance;
  }

  /**
   * Checks that the session can start and claims it; call before taking over the connection so
   * refusals are plain HTTP errors. Then call run().
   */
  claim(id: string): ExecInstance {
    const instance = this.get(id);
    if (instance.running) throw conflict(`Error: Exec command ${id} is already running`);
    if (instance.exitCode !== undefined) throw conflict(`Error: Exec command ${id} has already run`);
    checkRunning(this.options.containers.get(instance.containerId));
    instance.running = true;
    return instance;
  }

  /**
   * Runs a claimed session. With a client the process's stdio is connected to it and this
   * resolves when the process has exited and its output was delivered; without one (detached) it
   * resolves once the process runs. A start failure is reported to the client, as dockerd does
   * after the upgrade, or thrown when detached.
   */
  async run(instance: ExecInstance, client: AttachClient | undefined): Promise<void> {
    const container = this.options.containers.get(instance.containerId);
    let process: ExecProcess;
    try {
      process = await this.startProcess(container, instance, client !== undefined);
    } catch (error) {
      instance.running = false;
      instance.exitCode = error instanceof ExecStartError ? error.exitCode : 126;
      this.forgetOldSessions(container.id);
      if (client === undefined) throw error;
      const message = error instanceof Error ? error.message : String(error);
      client.output('stderr', Buffer.from(`${message}\r\n`));
      client.end();
      return;
    }
    instance.process = process;
    instance.pid = process.pid;
    const requested = instance.size;
    // A resize sent while the process was starting is applied now.
    if (requested !== undefined && instance.config.Tty === true)
      await process.resize(requested).catch((error: unknown) => this.logger.debug({ err: error }, 'exec resize failed'));
    this.publish(container, `exec_start: ${execCommandText(instance.config.Cmd ?? [])}`, instance.id);
    const exited = process.exited.then((exitCode) => {
      instance.running = false;
      instance.exitCode = exitCode;
      instance.process = undefined;
      this.publish(container, 'exec_die', instance.id, { exitCode: String(exitCode) });
      this.forgetOldSessions(container.id);
    });
    if (client === undefined || process.attachment === undefined) {
      exited.catch((error: unknown) => this.logger.warn({ err: error, execId: instance.id }, 'exec exit lost'));
      return;
    }
    const attachment = process.attachment;
    const { AttachStdout: stdout = false, AttachStderr: stderr = false, AttachStdin: stdin = false } = instance.config;
    const outputDone = new Promise<void>((resolve) => attachment.onClose(resolve));
    attachment.onOutput((stream, data) => {
      if ((stream === 'stdout' && stdout) || (stream === 'stderr' && stderr)) client.output(stream, data);
    });
    client.onClose(() => attachment.close());
    if (stdin)
      client.readStdin(
        (chunk) => attachment.writeStdin(chunk),
        () => attachment.closeStdin(),
      );
    else client.ignoreStdin();
    // The client reads the exit code right after its stream ends: record it first.
    await Promise.all([exited, outputDone]);
    client.end();
  }

  async resize(id: string, size: { rows: number; columns: number }): Promise<void> {
    const instance = this.get(id);
    if (instance.config.Tty !== true || size.rows <= 0 || size.columns <= 0) return;
    instance.size = size;
    // Before the process runs the size is kept for it; after its exit there is nothing to resize.
    if (instance.process === undefined) return;
    await instance.process.resize(size).catch((error: unknown) => {
      if (!(AppError.is(error) && error.kind === 'conflict')) throw error;
    });
  }

  /**
   * Runs a command in a container for the engine (healthchecks): not listed as a session,
   * output collected up to `maxOutput` bytes, killed after `timeoutMs`.
   */
  async runCommand(containerId: string, cmd: string[], options: { timeoutMs: number; maxOutput: number }): Promise<CommandRun> {
    const container = this.options.containers.get(containerId);
    checkRunning(container);
    const instance: ExecInstance = {
      id: randomBytes(32).toString('hex'),
      containerId,
      config: { Cmd: cmd, AttachStdout: true, AttachStderr: true },
      running: true,
      exitCode: undefined,
      pid: 0,
      process: undefined,
    };
    const process = await this.startProcess(container, instance, true);
    const chunks: Buffer[] = [];
    let size = 0;
    process.attachment?.onOutput((_stream, data) => {
      if (size >= options.maxOutput) return;
      const piece = data.subarray(0, options.maxOutput - size);
      chunks.push(piece);
      size += piece.length;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill('KILL');
    }, options.timeoutMs);
    try {
      const exitCode = await process.exited;
      return { exitCode, output: Buffer.concat(chunks).toString('utf8'), timedOut };
    } finally {
      clearTimeout(timer);
      process.attachment?.close();
    }
  }

  private async startProcess(container: Container, instance: ExecInstance, attach: boolean): Promise<ExecProcess> {
    const config = instance.config;
    const tty = config.Tty === true;
    const user = await resolveUser(
      this.options.rootfsOf(container.id),
      config.User !== undefined && config.User !== '' ? config.User : container.config.User,
    );
    const workingDir =
      config.WorkingDir !== undefined && config.WorkingDir !== ''
        ? config.WorkingDir
        : container.config.WorkingDir !== undefined && container.config.WorkingDir !== ''
          ? container.config.WorkingDir
          : '/';
    return this.options.runtime.exec(container.id, {
      execId: instance.id,
      args: config.Cmd ?? [],
      env: daemonEnvironment([...(container.config.Env ?? []), ...(config.Env ?? [])], container.config.Hostname ?? '', tty),
      cwd: workingDir,
      user,
      tty,
      stdin: config.AttachStdin === true,
      attach,
      ...(instance.size !== undefined ? { consoleSize: instance.size } : {}),
      ...(config.Privileged === true ? { capabilities: [...allCapabilities] } : {}),
    });
  }

  /** Keeps the newest exited sessions of a container; running ones always stay. */
  private forgetOldSessions(containerId: string): void {
    const exited = [...this.instances.values()].filter(
      (instance) => instance.containerId === containerId && !instance.running && instance.exitCode !== undefined,
    );
    for (const instance of exited.slice(0, Math.max(0, exited.length - keptExitedPerContainer)))
      this.instances.delete(instance.id);
  }

  private forgetContainer(containerId: string, keepRunning: boolean): void {
    for (const [id, instance] of this.instances) {
      if (instance.containerId !== containerId) continue;
      if (keepRunning && instance.running) continue;
      this.instances.delete(id);
    }
  }

  private publish(container: Container, action: string, execId: string, extra: Record<string, string> = {}): void {
    this.options.events.publish(containerEvent(container, action, { execID: execId, ...extra }));
  }
}

/** dockerd's refusals for exec into a container that cannot take one. */
function checkRunning(container: Container): void {
  switch (container.state.status) {
    case 'running':
      return;
    case 'paused':
      throw conflict(`Container ${container.id} is paused, unpause the container before exec`);
    case 'restarting':
      throw conflict(`Container ${container.id} is restarting, wait until the container is running`);
    default:
      throw conflict(`Container ${container.id} is not running`);
  }
}

/** dockerd's text for an exec in its events: the program, a space, then the arguments (so `true ` has a trailing space). */
function execCommandText(cmd: readonly string[]): string {
  const [program = '', ...args] = cmd;
  return `${program} ${args.join(' ')}`;
}
