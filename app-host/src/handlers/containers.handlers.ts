import type {
  AppHandlers,
  ContainerDetails,
  ContainerState,
  ContainerStats,
  ContainerSummary,
  LogLine,
  PortBinding,
  RunContainerInput,
} from '@berth/common/contract';
import type { z } from 'zod';
import type { DockerClient } from '../docker/docker-client.js';
import { jsonLines, LineSplitter, StdcopyDemuxer, type StdStream } from '../docker/frames.js';
import { HELPER_LABEL } from './volume-browser.js';
import { healthFromStatus, startedAtFromStatus } from './container-status.js';
import { arr, bool, num, obj, optStr, str, stringRecord, strings } from './json.js';

const states: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const toState = (value: unknown): ContainerState => states.find((state) => state === value) ?? 'exited';

function toPort(value: unknown): PortBinding {
  const p = obj(value);
  const type = str(p['Type'], 'tcp');
  const port: PortBinding = {
    privatePort: num(p['PrivatePort']),
    type: type === 'udp' || type === 'sctp' ? type : 'tcp',
  };
  const ip = optStr(p['IP']);
  if (ip !== undefined) port.ip = ip;
  if (typeof p['PublicPort'] === 'number') port.publicPort = p['PublicPort'];
  return port;
}

export function toContainerSummary(value: unknown, nowMs: number = Date.now()): ContainerSummary {
  const c = obj(value);
  const names = arr(c['Names']).filter((n): n is string => typeof n === 'string');
  const labels = stringRecord(c['Labels']);
  const summary: ContainerSummary = {
    id: str(c['Id']),
    name: (names[0] ?? str(c['Id']).slice(0, 12)).replace(/^\//, ''),
    image: str(c['Image']),
    imageId: str(c['ImageID']),
    command: str(c['Command']),
    created: num(c['Created']),
    state: toState(c['State']),
    status: str(c['Status']),
    ports: arr(c['Ports']).map(toPort),
    labels,
  };
  const running = summary.state === 'running' || summary.state === 'paused';
  const startedAt = running ? startedAtFromStatus(summary.status, nowMs) : undefined;
  if (startedAt !== undefined) summary.startedAt = startedAt;
  const health = healthFromStatus(summary.status);
  if (health !== undefined) summary.health = health;
  const project = labels['com.docker.compose.project'];
  if (project !== undefined) summary.composeProject = project;
  return summary;
}

export function toContainerDetails(value: unknown): ContainerDetails {
  const c = obj(value);
  const state = obj(c['State']);
  const config = obj(c['Config']);
  const details: ContainerDetails = {
    id: str(c['Id']),
    name: str(c['Name']).replace(/^\//, ''),
    image: str(config['Image'], str(c['Image'])),
    created: str(c['Created']),
    state: toState(state['Status']),
    tty: bool(config['Tty']),
    raw: c,
  };
  const startedAt = optStr(state['StartedAt']);
  if (startedAt !== undefined) details.startedAt = startedAt;
  const finishedAt = optStr(state['FinishedAt']);
  if (finishedAt !== undefined) details.finishedAt = finishedAt;
  if (typeof state['ExitCode'] === 'number') details.exitCode = state['ExitCode'];
  return details;
}

/** Docker's CLI formula for CPU %, from one stats sample. */
export function toContainerStats(value: unknown): ContainerStats {
  const s = obj(value);
  const cpu = obj(s['cpu_stats']);
  const pre = obj(s['precpu_stats']);
  const cpuDelta = num(obj(cpu['cpu_usage'])['total_usage']) - num(obj(pre['cpu_usage'])['total_usage']);
  const systemDelta = num(cpu['system_cpu_usage']) - num(pre['system_cpu_usage']);
  const onlineCpus = num(cpu['online_cpus'], arr(obj(cpu['cpu_usage'])['percpu_usage']).length || 1);
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * onlineCpus * 100 : 0;
  const memory = obj(s['memory_stats']);
  const memStats = obj(memory['stats']);
  const cache = num(memStats['inactive_file'], num(memStats['cache']));
  const memoryUsage = Math.max(0, num(memory['usage']) - cache);
  const memoryLimit = num(memory['limit']);
  let networkRx = 0;
  let networkTx = 0;
  for (const net of Object.values(obj(s['networks']))) {
    networkRx += num(obj(net)['rx_bytes']);
    networkTx += num(obj(net)['tx_bytes']);
  }
  let blockRead = 0;
  let blockWrite = 0;
  for (const entry of arr(obj(s['blkio_stats'])['io_service_bytes_recursive'])) {
    const e = obj(entry);
    const op = str(e['op']).toLowerCase();
    if (op === 'read') blockRead += num(e['value']);
    if (op === 'write') blockWrite += num(e['value']);
  }
  return {
    read: str(s['read']),
    cpuPercent,
    memoryUsage,
    memoryLimit,
    memoryPercent: memoryLimit > 0 ? (memoryUsage / memoryLimit) * 100 : 0,
    networkRx,
    networkTx,
    blockRead,
    blockWrite,
    pids: num(obj(s['pids_stats'])['current']),
  };
}

const id = (value: string): string => encodeURIComponent(value.replace(/^\//, ''));

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})) (.*)$/s;

function toLogLine(stream: StdStream, text: string, withTimestamps: boolean): LogLine {
  const kind = stream === 'stderr' ? 'stderr' : 'stdout';
  if (withTimestamps) {
    const match = TIMESTAMP.exec(text);
    if (match !== null) return { stream: kind, timestamp: match[1] ?? '', text: match[2] ?? '' };
  }
  return { stream: kind, text };
}

/** The Docker `POST /containers/create` body for the run dialog's input. */
export function toCreateBody(input: z.output<typeof RunContainerInput>): Record<string, unknown> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const port of input.ports ?? []) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({
      HostIp: port.hostIp ?? '',
      HostPort: port.hostPort === undefined || port.hostPort === 0 ? '' : String(port.hostPort),
    });
  }
  const body: Record<string, unknown> = {
    Image: input.image,
    Tty: input.tty,
    OpenStdin: input.tty,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: input.restartPolicy === 'no' ? '' : input.restartPolicy, MaximumRetryCount: 0 },
      ...(input.volumes !== undefined && input.volumes.length > 0 ? { Binds: input.volumes } : {}),
    },
  };
  if (input.command !== undefined && input.command.length > 0) body['Cmd'] = input.command;
  if (input.env !== undefined && input.env.length > 0) body['Env'] = input.env;
  if (Object.keys(exposed).length > 0) body['ExposedPorts'] = exposed;
  return body;
}

export function createContainerHandlers(docker: DockerClient): AppHandlers['containers'] {
  return {
    async run(input, { signal }) {
      const created = obj(
        await docker.json({
          method: 'POST',
          path: '/containers/create',
          query: { name: input.name },
          body: toCreateBody(input),
          signal,
        }),
      );
      const containerId = str(created['Id']);
      const warnings = arr(created['Warnings']).filter((w): w is string => typeof w === 'string');
      if (input.start) await docker.json({ method: 'POST', path: `/containers/${id(containerId)}/start`, signal });
      return { id: containerId, warnings };
    },
    async list(input, { signal }) {
      const filters: Record<string, string[]> = {};
      if (input.ids !== undefined) filters['id'] = input.ids;
      const raw = await docker.json<unknown[]>({
        method: 'GET',
        path: '/containers/json',
        query: { all: input.all, filters: input.ids === undefined ? undefined : JSON.stringify(filters) },
        signal,
      });
      // No per-row inspect: the Status text already says how long each container runs (one
      // request for the whole list, however many containers there are).
      return arr(raw)
        .map((row) => toContainerSummary(row))
        .filter((summary) => summary.labels[HELPER_LABEL] === undefined);
    },
    async inspect(input, { signal }) {
      return toContainerDetails(await docker.json({ method: 'GET', path: `/containers/${id(input.id)}/json`, signal }));
    },
    async start(input, { signal }) {
      await docker.json({ method: 'POST', path: `/containers/${id(input.id)}/start`, signal });
    },
    async stop(input, { signal }) {
      await docker.json({
        method: 'POST',
        path: `/containers/${id(input.id)}/stop`,
        query: { t: input.timeoutSeconds },
        signal,
        headersTimeout: 0,
      });
    },
    async restart(input, { signal }) {
      await docker.json({
        method: 'POST',
        path: `/containers/${id(input.id)}/restart`,
        query: { t: input.timeoutSeconds },
        signal,
        headersTimeout: 0,
      });
    },
    async pause(input, { signal }) {
      await docker.json({ method: 'POST', path: `/containers/${id(input.id)}/pause`, signal });
    },
    async unpause(input, { signal }) {
      await docker.json({ method: 'POST', path: `/containers/${id(input.id)}/unpause`, signal });
    },
    async remove(input, { signal }) {
      await docker.json({
        method: 'DELETE',
        path: `/containers/${id(input.id)}`,
        query: { force: input.force, v: input.removeVolumes },
        signal,
      });
    },
    async top(input, { signal }) {
      const raw = obj(
        await docker.json({ method: 'GET', path: `/containers/${id(input.id)}/top`, query: { ps_args: input.psArgs }, signal }),
      );
      return {
        titles: strings(raw['Titles']),
        processes: arr(raw['Processes']).map((row) => arr(row).map((cell) => (typeof cell === 'string' ? cell : String(cell)))),
      };
    },
    async *logs(input, { signal }) {
      const details = toContainerDetails(await docker.json({ method: 'GET', path: `/containers/${id(input.id)}/json`, signal }));
      const { body } = await docker.stream({
        method: 'GET',
        path: `/containers/${id(input.id)}/logs`,
        query: {
          stdout: true,
          stderr: true,
          follow: input.follow,
          timestamps: input.timestamps,
          tail: input.tail,
          since: input.since,
        },
        signal,
        headersTimeout: 0,
      });
      const demuxer = details.tty ? undefined : new StdcopyDemuxer();
      const lines = new LineSplitter();
      try {
        for await (const chunk of body) {
          const frames =
            demuxer === undefined ? [{ stream: 'stdout' as const, data: chunk as Buffer }] : demuxer.push(chunk as Buffer);
          const out: LogLine[] = [];
          for (const frame of frames) {
            for (const text of lines.push(frame.stream, frame.data.toString('utf8')))
              out.push(toLogLine(frame.stream, text, input.timestamps));
          }
          if (out.length > 0) yield { lines: out };
        }
        const rest = lines.flush().map((line) => toLogLine(line.stream, line.text, input.timestamps));
        if (rest.length > 0) yield { lines: rest };
      } finally {
        body.destroy();
      }
    },
    async *stats(input, { signal }) {
      const { body } = await docker.stream({
        method: 'GET',
        path: `/containers/${id(input.id)}/stats`,
        query: { stream: true },
        signal,
        headersTimeout: 0,
      });
      try {
        for await (const sample of jsonLines(body)) yield toContainerStats(sample);
      } finally {
        body.destroy();
      }
    },
  };
}
