import { z } from 'zod';
import { method, stream } from '../define.js';
import { ImageRef, JsonObject, Labels, ObjectRef } from './common-schemas.js';

export const ContainerState = z.enum(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);
export type ContainerState = z.infer<typeof ContainerState>;

export const PortBinding = z.object({
  ip: z.string().optional(),
  privatePort: z.number().int(),
  publicPort: z.number().int().optional(),
  type: z.enum(['tcp', 'udp', 'sctp']),
});
export type PortBinding = z.infer<typeof PortBinding>;

export const ContainerSummary = z.object({
  id: z.string(),
  /** Primary name without the leading slash. */
  name: z.string(),
  image: z.string(),
  imageId: z.string(),
  command: z.string(),
  /** Unix seconds. */
  created: z.number(),
  state: ContainerState,
  /** Engine's human status ("Up 5 minutes", "Exited (0) 2 hours ago"). */
  status: z.string(),
  /** ISO time the current run started, when running (for a live uptime). */
  startedAt: z.string().optional(),
  ports: z.array(PortBinding),
  labels: Labels,
  /** `com.docker.compose.project` label, when present. */
  composeProject: z.string().optional(),
  /** Health check state, for containers that have one. */
  health: z.enum(['starting', 'healthy', 'unhealthy']).optional(),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

export const ContainerDetails = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  created: z.string(),
  state: ContainerState,
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  exitCode: z.number().int().optional(),
  tty: z.boolean(),
  /** The engine's full inspect JSON, shown as-is. */
  raw: JsonObject,
});
export type ContainerDetails = z.infer<typeof ContainerDetails>;

const idInput = z.object({ id: ObjectRef }).strict();
const timeoutInput = z.object({ id: ObjectRef, timeoutSeconds: z.number().int().min(0).max(3600).optional() }).strict();

export const LogLine = z.object({
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
  /** RFC3339 timestamp from the engine, when `timestamps` was requested. */
  timestamp: z.string().optional(),
});
export type LogLine = z.infer<typeof LogLine>;

/** Lines are batched so a chatty container does not cost one message per line. */
export const LogChunk = z.object({ lines: z.array(LogLine) });
export type LogChunk = z.infer<typeof LogChunk>;

export const LogsInput = z
  .object({
    id: ObjectRef,
    follow: z.boolean().default(true),
    /** Number of lines from the end, or all. */
    tail: z.union([z.number().int().min(0).max(1_000_000), z.literal('all')]).default(1000),
    timestamps: z.boolean().default(true),
    /** Unix seconds. */
    since: z.number().int().min(0).optional(),
  })
  .strict();

export const ContainerStats = z.object({
  read: z.string(),
  cpuPercent: z.number(),
  memoryUsage: z.number(),
  memoryLimit: z.number(),
  memoryPercent: z.number(),
  networkRx: z.number(),
  networkTx: z.number(),
  blockRead: z.number(),
  blockWrite: z.number(),
  pids: z.number(),
});
export type ContainerStats = z.infer<typeof ContainerStats>;

export const RestartPolicyName = z.enum(['no', 'always', 'unless-stopped', 'on-failure']);
export type RestartPolicyName = z.infer<typeof RestartPolicyName>;

/** What the run dialog sends: the subset of `docker run` a point-and-click user sets. */
export const RunContainerInput = z
  .object({
    image: ImageRef,
    name: ObjectRef.optional(),
    /** argv; empty or absent keeps the image's CMD. */
    command: z.array(z.string().max(8192)).max(256).optional(),
    /** `KEY=VALUE` entries. */
    env: z
      .array(
        z
          .string()
          .regex(/^[^=\s][^=]*=/, 'must be KEY=VALUE')
          .max(32_768),
      )
      .max(512)
      .optional(),
    ports: z
      .array(
        z
          .object({
            containerPort: z.number().int().min(1).max(65535),
            hostPort: z.number().int().min(0).max(65535).optional(),
            hostIp: z.string().max(64).optional(),
            protocol: z.enum(['tcp', 'udp', 'sctp']).default('tcp'),
          })
          .strict(),
      )
      .max(256)
      .optional(),
    /** `source:target[:ro]` binds or named volumes, as `docker run -v` takes them. */
    volumes: z.array(z.string().min(3).max(4096)).max(128).optional(),
    restartPolicy: RestartPolicyName.default('no'),
    tty: z.boolean().default(false),
    /** Start it right away (default) or only create it. */
    start: z.boolean().default(true),
  })
  .strict();
export type RunContainerInput = z.input<typeof RunContainerInput>;

/** `docker top`: ps columns and one row per process. */
export const ContainerProcesses = z.object({ titles: z.array(z.string()), processes: z.array(z.array(z.string())) });
export type ContainerProcesses = z.infer<typeof ContainerProcesses>;

export const containers = {
  /** `docker run -d`: create, then start. */
  run: method({ input: RunContainerInput, output: z.object({ id: z.string(), warnings: z.array(z.string()) }) }),
  list: method({
    input: z
      .object({
        all: z.boolean().default(true),
        /** Restrict to these ids (used to refresh one row after an event). */
        ids: z.array(ObjectRef).max(1000).optional(),
      })
      .strict(),
    output: z.array(ContainerSummary),
  }),
  inspect: method({ input: idInput, output: ContainerDetails }),
  start: method({ input: idInput, output: z.void() }),
  stop: method({ input: timeoutInput, output: z.void() }),
  restart: method({ input: timeoutInput, output: z.void() }),
  pause: method({ input: idInput, output: z.void() }),
  unpause: method({ input: idInput, output: z.void() }),
  remove: method({
    input: z.object({ id: ObjectRef, force: z.boolean().default(false), removeVolumes: z.boolean().default(false) }).strict(),
    output: z.void(),
  }),
  top: method({
    input: z
      .object({
        id: ObjectRef,
        psArgs: z
          .string()
          .max(64)
          .regex(/^[a-zA-Z0-9 ,=-]*$/)
          .optional(),
      })
      .strict(),
    output: ContainerProcesses,
  }),
  logs: stream({ input: LogsInput, item: LogChunk }),
  stats: stream({ input: idInput, item: ContainerStats }),
} as const;
