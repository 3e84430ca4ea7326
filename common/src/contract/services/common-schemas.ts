import { z } from 'zod';

/** A container, network or exec reference: a full/short hex id or a Docker name (no slashes). */
export const ObjectRef = z
  .string()
  .min(1)
  .max(256)
  .regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be an id or a name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)');

/** An image reference such as `docker.io/library/redis:7` or `sha256:…`. */
export const ImageRef = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._\-/:@]*$/, 'must be an image reference like "name:tag"');

/** A volume name as Docker accepts it. */
export const VolumeName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must match [a-zA-Z0-9][a-zA-Z0-9_.-]*');

export const Labels = z.record(z.string(), z.string());

/** Arbitrary JSON from the engine (Inspect output). */
export const JsonObject = z.record(z.string(), z.unknown());

export const Empty = z.object({}).strict();
