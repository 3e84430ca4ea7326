import { z } from 'zod';
import { method, stream } from '../define.js';
import { ImageRef, JsonObject, Labels } from './common-schemas.js';

export const ImageSummary = z.object({
  id: z.string(),
  repoTags: z.array(z.string()),
  repoDigests: z.array(z.string()),
  /** Unix seconds. */
  created: z.number(),
  size: z.number(),
  /** Number of containers using the image; -1 when the engine did not count. */
  containers: z.number().int(),
  labels: Labels,
});
export type ImageSummary = z.infer<typeof ImageSummary>;

/** One progress message of a pull, per layer when `layerId` is set (Docker's JSON message stream). */
export const PullProgress = z.object({
  layerId: z.string().optional(),
  status: z.string(),
  current: z.number().optional(),
  total: z.number().optional(),
});
export type PullProgress = z.infer<typeof PullProgress>;

export const ImageLayer = z.object({
  /** Layer image id, or `<missing>` for layers pulled from a registry. */
  id: z.string(),
  /** Unix seconds. */
  created: z.number(),
  createdBy: z.string(),
  size: z.number(),
  tags: z.array(z.string()),
  comment: z.string(),
});
export type ImageLayer = z.infer<typeof ImageLayer>;

export const images = {
  list: method({ input: z.object({ all: z.boolean().default(false) }).strict(), output: z.array(ImageSummary) }),
  inspect: method({ input: z.object({ id: ImageRef }).strict(), output: JsonObject }),
  pull: stream({
    input: z
      .object({
        reference: ImageRef,
        platform: z
          .string()
          .max(64)
          .regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/)
          .optional(),
      })
      .strict(),
    item: PullProgress,
  }),
  /** `docker push`: same progress messages as a pull. */
  push: stream({ input: z.object({ reference: ImageRef }).strict(), item: PullProgress }),
  history: method({ input: z.object({ id: ImageRef }).strict(), output: z.array(ImageLayer) }),
  /** `docker image prune` (dangling only) or `-a` (every image no container uses). */
  prune: method({
    input: z.object({ all: z.boolean().default(false) }).strict(),
    output: z.object({ deleted: z.number().int(), spaceReclaimed: z.number() }),
  }),
  remove: method({
    input: z.object({ id: ImageRef, force: z.boolean().default(false), noPrune: z.boolean().default(false) }).strict(),
    output: z.object({ untagged: z.array(z.string()), deleted: z.array(z.string()) }),
  }),
  tag: method({
    input: z
      .object({
        source: ImageRef,
        repository: ImageRef,
        tag: z
          .string()
          .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/)
          .optional(),
      })
      .strict(),
    output: z.void(),
  }),
} as const;
