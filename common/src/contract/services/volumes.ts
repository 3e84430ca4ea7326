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
  remove: method({ input: z.object({ name: VolumeName, force: z.boolean().default(false) }).strict(), output: z.void() }),
} as const;
