import { z } from 'zod';
import { event, method } from '../define.js';

export const EngineInfo = z.object({
  id: z.string(),
  name: z.string(),
  serverVersion: z.string(),
  operatingSystem: z.string(),
  osType: z.string(),
  architecture: z.string(),
  kernelVersion: z.string(),
  cpus: z.number().int(),
  memoryBytes: z.number(),
  storageDriver: z.string(),
  rootDir: z.string(),
  containers: z.number().int(),
  containersRunning: z.number().int(),
  containersPaused: z.number().int(),
  containersStopped: z.number().int(),
  images: z.number().int(),
});
export type EngineInfo = z.infer<typeof EngineInfo>;

export const EngineVersion = z.object({
  version: z.string(),
  apiVersion: z.string(),
  minApiVersion: z.string().optional(),
  os: z.string(),
  arch: z.string(),
  kernelVersion: z.string().optional(),
  gitCommit: z.string().optional(),
});
export type EngineVersion = z.infer<typeof EngineVersion>;

/** Whether the host can reach the engine socket right now. */
export const EngineStatus = z.object({
  state: z.enum(['connecting', 'running', 'unreachable']),
  /** The Docker host the app talks to, e.g. `unix:///run/berth/docker.sock`. */
  host: z.string(),
  apiVersion: z.string().optional(),
  /** Why it is unreachable, in plain words. */
  message: z.string().optional(),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

export const engine = {
  info: method({ input: z.object({}).strict(), output: EngineInfo }),
  version: method({ input: z.object({}).strict(), output: EngineVersion }),
  status: method({ input: z.object({}).strict(), output: EngineStatus }),
  /** Fired when the connection to the engine goes up or down. */
  onDidChangeStatus: event(EngineStatus),
} as const;
