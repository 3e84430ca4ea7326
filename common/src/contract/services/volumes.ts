import { z } from 'zod';
import { method } from '../define.js';
import { JsonObject, Labels, VolumeName } from './common-schemas.js';

export const VolumeSummary = z.object({
  name: z.string(),
  driver: z.string(),
  mountpoint: z.string(),
  createdAt: z.string().optional(),
  scope: z.string(),
  labels: Labels,
});
export type VolumeSummary = z.infer<typeof VolumeSummary>;

export const VolumeEntry = z.object({
  name: z.string(),
  type: z.enum(['file', 'directory', 'symlink', 'other']),
  size: z.number(),
  /** Unix seconds. */
  modified: z.number(),
  /** Symlink target. */
  target: z.string().optional(),
});
export type VolumeEntry = z.infer<typeof VolumeEntry>;

/** A path inside a volume: relative, `/`-separated, no `..` segments. */
const VolumePath = z
  .string()
  .max(4096)
  .refine((path) => !path.split('/').includes('..'), 'must not contain ..');

export const volumes = {
  list: method({ input: z.object({}).strict(), output: z.array(VolumeSummary) }),
  inspect: method({ input: z.object({ name: VolumeName }).strict(), output: JsonObject }),
  create: method({
    input: z
      .object({
        name: VolumeName.optional(),
        driver: z
          .string()
          .max(64)
          .regex(/^[a-zA-Z0-9_.-]+$/)
          .optional(),
        labels: Labels.optional(),
      })
      .strict(),
    output: VolumeSummary,
  }),
  /** Lists one directory of a volume (read-only, through a short-lived helper container). */
  browse: method({
    input: z.object({ name: VolumeName, path: VolumePath.default('') }).strict(),
    output: z.object({ entries: z.array(VolumeEntry), truncated: z.boolean(), helperImage: z.string() }),
  }),
  remove: method({ input: z.object({ name: VolumeName, force: z.boolean().default(false) }).strict(), output: z.void() }),
} as const;
