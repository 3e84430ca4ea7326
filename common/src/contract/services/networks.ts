import { z } from 'zod';
import { method } from '../define.js';
import { JsonObject, Labels, ObjectRef } from './common-schemas.js';

export const NetworkSummary = z.object({
  id: z.string(),
  name: z.string(),
  driver: z.string(),
  scope: z.string(),
  internal: z.boolean(),
  attachable: z.boolean(),
  created: z.string().optional(),
  subnets: z.array(z.string()),
  containerCount: z.number().int(),
  labels: Labels,
});
export type NetworkSummary = z.infer<typeof NetworkSummary>;

export const networks = {
  list: method({ input: z.object({}).strict(), output: z.array(NetworkSummary) }),
  inspect: method({ input: z.object({ id: ObjectRef }).strict(), output: JsonObject }),
  create: method({
    input: z
      .object({
        name: ObjectRef,
        driver: z
          .string()
          .max(64)
          .regex(/^[a-zA-Z0-9_.-]+$/)
          .optional(),
        internal: z.boolean().optional(),
        /** IPv4 CIDR for the network's IPAM config, e.g. `172.30.0.0/24`. */
        subnet: z
          .string()
          .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR like 172.30.0.0/24')
          .optional(),
        labels: Labels.optional(),
      })
      .strict(),
    output: z.object({ id: z.string() }),
  }),
  remove: method({ input: z.object({ id: ObjectRef }).strict(), output: z.void() }),
} as const;
