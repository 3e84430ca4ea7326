import { invalidArgument } from '@berth/common';
import type { ExecConfig, ExecInstance, ExecService } from '../../services/exec/exec-service.js';
import { parseInteger } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import { requireDetachKeys } from '../streams/detach-keys.js';
import { hijackedAttachClient } from '../streams/hijacked-client.js';

export function execRoutes(execs: ExecService): Route[] {
  return [
    {
      method: 'POST',
      pattern: '/containers/:id/exec',
      handler: async (context) => {
        const body = await context.json<ExecConfig>();
        if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
          throw invalidArgument('exec config cannot be empty');
        checkExecConfig(body);
        requireDetachKeys(body.DetachKeys, 'escape');
        const instance = execs.create(param(context, 'id'), body);
        context.send(201, { Id: instance.id });
      },
    },
    { method: 'POST', pattern: '/exec/:id/start', handler: (context) => startExec(context, execs) },
    {
      method: 'POST',
      pattern: '/exec/:id/resize',
      handler: async (context) => {
        const rows = parseInteger(context.query.get('h'), 'h') ?? 0;
        const columns = parseInteger(context.query.get('w'), 'w') ?? 0;
        await execs.resize(param(context, 'id'), { rows, columns });
        context.empty(200);
      },
    },
    {
      method: 'GET',
      pattern: '/exec/:id/json',
      handler: (context) => {
        context.send(200, presentExecInspect(execs.get(param(context, 'id'))));
      },
    },
  ];
}

async function startExec(context: RequestContext, execs: ExecService): Promise<void> {
  const id = param(context, 'id');
  const body = (await context.json<{ Detach?: unknown; Tty?: unknown }>()) ?? {};
  if (typeof body !== 'object' || body === null) throw invalidArgument('invalid exec start body');
  const instance = execs.claim(id);
  if (body.Detach === true) {
    await execs.run(instance, undefined);
    // `docker exec -d` sends a plain request and gets `200 OK` with no body.
    if (context.isUpgrade) context.hijack().end();
    else context.empty(200);
    return;
  }
  const stream = context.hijack();
  await execs.run(
    instance,
    hijackedAttachClient(stream, {
      tty: instance.config.Tty === true,
      detachKeys: requireDetachKeys(instance.config.DetachKeys, 'escape'),
    }),
  );
}

/** `GET /exec/{id}/json` in dockerd's shape (ExitCode null while the process runs). */
export function presentExecInspect(instance: ExecInstance): Record<string, unknown> {
  const [entrypoint = '', ...args] = instance.config.Cmd ?? [];
  const user = instance.config.User ?? '';
  return {
    ID: instance.id,
    Running: instance.running,
    ExitCode: instance.exitCode ?? null,
    ProcessConfig: {
      tty: instance.config.Tty === true,
      entrypoint,
      arguments: args,
      privileged: instance.config.Privileged === true,
      ...(user !== '' ? { user } : {}),
    },
    OpenStdin: instance.config.AttachStdin === true,
    OpenStderr: instance.config.AttachStderr === true,
    OpenStdout: instance.config.AttachStdout === true,
    CanRemove: false,
    ContainerID: instance.containerId,
    DetachKeys: instance.config.DetachKeys ?? '',
    Pid: instance.pid,
  };
}

function checkExecConfig(body: ExecConfig): void {
  const stringList = (value: unknown): boolean =>
    value === undefined || value === null || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
  if (!stringList(body.Cmd)) throw invalidArgument('Cmd must be a list of strings');
  if (!stringList(body.Env)) throw invalidArgument('Env must be a list of strings');
  for (const field of ['WorkingDir', 'User', 'DetachKeys'] as const) {
    if (body[field] !== undefined && typeof body[field] !== 'string') throw invalidArgument(`${field} must be a string`);
  }
  if (body.WorkingDir !== undefined && body.WorkingDir !== '' && !body.WorkingDir.startsWith('/'))
    throw invalidArgument(`the working directory '${body.WorkingDir}' is invalid, it needs to be an absolute path`);
}

function param(context: RequestContext, name: string): string {
  const value = context.params[name];
  if (value === undefined || value === '') throw invalidArgument(`missing ${name}`);
  return value;
}
