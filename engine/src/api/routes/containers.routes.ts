import { join } from 'node:path';
import { invalidArgument } from '@berth/common';
import type { Container, ContainerConfig, HostConfig } from '../../core/containers/container.js';
import type { ContainerService, WaitCondition } from '../../services/containers/container-service.js';
import type { ContainerLogService } from '../../services/containers/container-log-service.js';
import { presentContainerInspect, presentContainerSummary } from '../presenters/container-presenter.js';
import { parseBoolean, parseFilters, parseInteger, type Filters } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import { frame } from '../streams/stdcopy.js';
import { formatTimestamp } from '../../core/logs/timestamps.js';

interface CreateBody extends ContainerConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: unknown;
}

export function containerRoutes(containers: ContainerService, logs: ContainerLogService, containersDir: string): Route[] {
  return [
    { method: 'GET', pattern: '/containers/json', handler: (context) => listContainers(context, containers) },
    {
      method: 'POST',
      pattern: '/containers/create',
      handler: async (context) => {
        const body = await context.json<CreateBody>();
        if (body === undefined || typeof body !== 'object' || Array.isArray(body))
          throw invalidArgument('config cannot be empty in order to create a container');
        const { HostConfig: hostConfig, NetworkingConfig: _networking, ...config } = body;
        const name = context.query.get('name');
        const container = await containers.create({
          ...(name !== null ? { name } : {}),
          config,
          hostConfig: hostConfig ?? {},
        });
        context.send(201, { Id: container.id, Warnings: [] });
      },
    },
    {
      method: 'GET',
      pattern: '/containers/:id/json',
      handler: (context) => {
        const container = containers.get(param(context, 'id'));
        context.send(200, presentContainerInspect(container, join(containersDir, container.id, 'rootfs')));
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/start',
      handler: async (context) => {
        await containers.start(param(context, 'id'));
        context.empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/stop',
      handler: async (context) => {
        await containers.stop(param(context, 'id'), parseInteger(context.query.get('t'), 't'));
        context.empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/kill',
      handler: async (context) => {
        await containers.kill(param(context, 'id'), context.query.get('signal') ?? undefined);
        context.empty(204);
      },
    },
    {
      method: 'DELETE',
      pattern: '/containers/:id',
      handler: async (context) => {
        await containers.remove(param(context, 'id'), { force: parseBoolean(context.query.get('force')) });
        context.empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/wait',
      handler: async (context) => {
        const condition = parseWaitCondition(context.query.get('condition'));
        const result = containers.wait(param(context, 'id'), condition, context.signal);
        // Headers go out at once: the CLI starts the container only after it sees them.
        const response = context.startStream(200, 'application/json');
        try {
          const exit = await result;
          response.end(
            `${JSON.stringify({ Error: exit.error !== undefined ? { Message: exit.error } : null, StatusCode: exit.exitCode })}\n`,
          );
        } catch {
          response.end();
        }
      },
    },
    { method: 'POST', pattern: '/containers/:id/attach', handler: (context) => attach(context, containers) },
    {
      method: 'POST',
      pattern: '/containers/:id/resize',
      handler: async (context) => {
        const container = containers.get(param(context, 'id'));
        const rows = parseInteger(context.query.get('h'), 'h') ?? 0;
        const columns = parseInteger(context.query.get('w'), 'w') ?? 0;
        await containers.resize(container.id, { rows, columns });
        context.empty(200);
      },
    },
    { method: 'GET', pattern: '/containers/:id/logs', handler: (context) => streamLogs(context, containers, logs) },
  ];
}

function param(context: RequestContext, name: string): string {
  const value = context.params[name];
  if (value === undefined || value === '') throw invalidArgument(`missing ${name}`);
  return value;
}

function parseWaitCondition(value: string | null): WaitCondition {
  if (value === null || value === '' || value === 'not-running') return 'not-running';
  if (value === 'next-exit' || value === 'removed') return value;
  throw invalidArgument(`invalid condition: "${value}"`);
}

function listContainers(context: RequestContext, containers: ContainerService): void {
  const all = parseBoolean(context.query.get('all'));
  const limit = parseInteger(context.query.get('limit'), 'limit');
  const filters = parseFilters(context.query.get('filters'));
  let list = containers
    .list()
    .filter(
      (container) => all || limit !== undefined || container.state.status === 'running' || container.state.status === 'paused',
    )
    .filter((container) => matchesFilters(container, filters))
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
  if (limit !== undefined && limit > 0) list = list.slice(0, limit);
  context.send(200, list.map(presentContainerSummary));
}

function matchesFilters(container: Container, filters: Filters): boolean {
  for (const [key, values] of filters) {
    if (values.length === 0) continue;
    const matches = (predicate: (value: string) => boolean): boolean => values.some(predicate);
    switch (key) {
      case 'id':
        if (!matches((value) => container.id.startsWith(value))) return false;
        break;
      case 'name':
        if (!matches((value) => new RegExp(value.replace(/^\//, '')).test(container.name))) return false;
        break;
      case 'status':
        if (!matches((value) => value === container.state.status)) return false;
        break;
      case 'label':
        if (
          !values.every((value) => {
            const [labelKey = '', ...rest] = value.split('=');
            const labels = container.config.Labels ?? {};
            return rest.length === 0 ? labelKey in labels : labels[labelKey] === rest.join('=');
          })
        )
          return false;
        break;
      case 'ancestor':
        if (!matches((value) => value === container.imageName || container.imageId.includes(value))) return false;
        break;
      case 'exited':
        if (container.state.status !== 'exited' || !matches((value) => Number(value) === container.state.exitCode)) return false;
        break;
      default:
        throw invalidArgument(`invalid filter '${key}'`);
    }
  }
  return true;
}

async function attach(context: RequestContext, containers: ContainerService): Promise<void> {
  const container = containers.get(param(context, 'id'));
  const wantsStdin = parseBoolean(context.query.get('stdin'));
  const wantsStdout = parseBoolean(context.query.get('stdout'));
  const wantsStderr = parseBoolean(context.query.get('stderr'));
  const tty = container.config.Tty === true;
  const stream = context.hijack();
  await containers.attach(container.id, {
    options: {
      stdin: wantsStdin && container.config.OpenStdin === true,
      stdout: wantsStdout,
      stderr: wantsStderr,
      closeStdinOnEnd: container.config.StdinOnce === true,
    },
    client: {
      output: (streamName, data) => stream.write(tty ? data : frame(streamName, data)),
      end: () => stream.end(),
      readStdin: (onData, onEnd) => stream.readStdin(onData, onEnd),
      ignoreStdin: () => stream.ignoreStdin(),
      onClose: (listener) => stream.onClose(listener),
    },
  });
}

async function streamLogs(context: RequestContext, containers: ContainerService, logs: ContainerLogService): Promise<void> {
  const container = containers.get(param(context, 'id'));
  const stdout = parseBoolean(context.query.get('stdout'));
  const stderr = parseBoolean(context.query.get('stderr'));
  if (!stdout && !stderr) throw invalidArgument('Bad parameters: you must choose at least one stream');
  const follow = parseBoolean(context.query.get('follow'));
  const timestamps = parseBoolean(context.query.get('timestamps'));
  const tailValue = context.query.get('tail');
  const tail = tailValue === null || tailValue === '' || tailValue === 'all' ? undefined : parseInteger(tailValue, 'tail');
  const since = parseUnixTime(context.query.get('since'), 'since');
  const until = parseUnixTime(context.query.get('until'), 'until');
  const tty = container.config.Tty === true;
  const response = context.startStream(200, undefined);
  await logs.read(
    container.id,
    {
      follow,
      ...(tail !== undefined && tail >= 0 ? { tail } : {}),
      ...(since !== undefined && since > 0n ? { sinceNano: since } : {}),
      ...(until !== undefined && until > 0n ? { untilNano: until } : {}),
      signal: context.signal,
    },
    async (entry) => {
      if ((entry.stream === 'stdout' && !stdout) || (entry.stream === 'stderr' && !stderr)) return;
      const payload = timestamps ? Buffer.concat([Buffer.from(`${formatTimestamp(entry.timeNano)} `), entry.data]) : entry.data;
      if (!response.write(tty ? payload : frame(entry.stream, payload)))
        await new Promise<void>((resolve) => {
          response.once('drain', resolve);
          response.once('close', resolve);
        });
    },
  );
  response.end();
}

/** Docker's since/until: unix seconds, optionally fractional (`1795825014.123456789`). */
function parseUnixTime(value: string | null, name: string): bigint | undefined {
  if (value === null || value === '') return undefined;
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (match === null) {
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed)) throw invalidArgument(`invalid value for ${name}: ${value}`);
    return BigInt(parsed) * 1_000_000n;
  }
  return BigInt(match[1] ?? '0') * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}
