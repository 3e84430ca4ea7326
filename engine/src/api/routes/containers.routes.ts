import { join } from 'node:path';
import { invalidArgument } from '@berth/common';
import type { ContainerConfig, HostConfig } from '../../core/containers/container.js';
import type { ContainerService, WaitCondition } from '../../services/containers/container-service.js';
import type { ContainerLogService } from '../../services/containers/container-log-service.js';
import { presentContainerInspect, presentContainerSummary } from '../presenters/container-presenter.js';
import { containerListJson } from '../presenters/container-list-presenter.js';
import { parseBoolean, parseFilters, parseInteger } from '../query.js';
import type { RequestContext } from '../request-context.js';
import type { Route } from '../router.js';
import { frame } from '../streams/stdcopy.js';
import { attachContainer } from '../streams/container-attach.js';
import { formatTimestamp } from '../../core/logs/timestamps.js';

interface CreateBody extends ContainerConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: unknown;
}

export function containerRoutes(containers: ContainerService, logs: ContainerLogService, containersDir: string): Route[] {
  return [
    { method: 'GET', pattern: '/containers/json', handler: async (context) => listContainers(context, containers) },
    {
      method: 'POST',
      pattern: '/containers/create',
      handler: async (context) => {
        const body = await context.json<CreateBody>();
        if (body === undefined || typeof body !== 'object' || Array.isArray(body))
          throw invalidArgument('config cannot be empty in order to create a container');
        const { HostConfig: hostConfig, NetworkingConfig: networkingConfig, ...config } = body;
        const name = context.query.get('name');
        const container = await containers.create({
          ...(name !== null ? { name } : {}),
          config,
          hostConfig: hostConfig ?? {},
          networkingConfig,
        });
        context.send(201, { Id: container.id, Warnings: [] });
      },
    },
    {
      method: 'GET',
      pattern: '/containers/:id/json',
      handler: async (context) => {
        const container = containers.get(param(context, 'id'));
        const directory = join(containersDir, container.id);
        const size = parseBoolean(context.query.get('size')) ? await containers.size(container) : undefined;
        context.send(
          200,
          presentContainerInspect(container, {
            directory,
            rootfsDir: join(directory, 'rootfs'),
            storage: await containers.storage(container),
            ...(size !== undefined ? { size } : {}),
          }),
        );
      },
    },
    {
      method: 'POST',
      pattern: '/containers/prune',
      handler: async (context) => {
        context.send(200, await containers.prune(parseFilters(context.query.get('filters'))));
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/restart',
      handler: async (context) => {
        await containers.restart(param(context, 'id'), parseInteger(context.query.get('t'), 't'));
        context.empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/pause',
      handler: async (context) => {
        await containers.pause(param(context, 'id'));
        context.empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/unpause',
      handler: async (context) => {
        await containers.unpause(param(context, 'id'));
        context.empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/rename',
      handler: async (context) => {
        await containers.rename(param(context, 'id'), context.query.get('name') ?? '');
        context.empty(204);
      },
    },
    {
      method: 'POST',
      pattern: '/containers/:id/update',
      handler: async (context) => {
        const id = param(context, 'id');
        containers.get(id);
        const body = await context.json<Record<string, unknown>>();
        if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
          throw invalidArgument('update body must be a JSON object');
        context.send(200, await containers.update(id, body));
      },
    },
    {
      method: 'GET',
      pattern: '/containers/:id/top',
      handler: async (context) => {
        context.send(200, await containers.top(param(context, 'id'), context.query.get('ps_args') ?? undefined));
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
        // `link` (legacy links, which Berth does not have) is only validated.
        parseBoolean(context.query.get('link'));
        await containers.remove(param(context, 'id'), {
          force: parseBoolean(context.query.get('force')),
          removeVolumes: parseBoolean(context.query.get('v')),
        });
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
    { method: 'POST', pattern: '/containers/:id/attach', handler: (context) => attachContainer(context, containers, logs) },
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

async function listContainers(context: RequestContext, containers: ContainerService): Promise<void> {
  const limit = parseInteger(context.query.get('limit'), 'limit');
  const list = await containers.query({
    all: parseBoolean(context.query.get('all')),
    ...(limit !== undefined ? { limit } : {}),
    filters: parseFilters(context.query.get('filters')),
  });
  if (!parseBoolean(context.query.get('size'))) {
    // The hot path of `docker ps`: item texts are cached with the records (see containerListJson).
    context.text(200, `${containerListJson(list)}\n`, { 'Content-Type': 'application/json' });
    return;
  }
  const items: Record<string, unknown>[] = [];
  for (const container of list) items.push(presentContainerSummary(container, await containers.size(container)));
  context.send(200, items);
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
