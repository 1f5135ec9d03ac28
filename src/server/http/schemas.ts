/**
 * Request and response schemas shared by several route groups. Each schema both validates
 * requests and describes them in the OpenAPI document.
 */
import { z } from '@hono/zod-openapi';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const NAME_HINT = 'use 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit';

/** Builds the schema of a user-chosen name such as a tenant id, workflow name or instance id. */
export function nameSchema(label: string): z.ZodString {
  return z
    .string({ error: `${label} must be a string` })
    .regex(NAME_PATTERN, { error: `Invalid ${label}; ${NAME_HINT}` });
}

/** Path parameter holding an id or name. */
export function idParam(name: string, label: string, example: string): z.ZodObject {
  return z.object({
    [name]: nameSchema(label).openapi({ param: { name, in: 'path' }, example }),
  });
}

/** A tenant. */
export const TenantSchema = z
  .object({ id: z.string(), displayName: z.string(), createdAtMs: z.number() })
  .openapi('Tenant');

/** Usage of one tenant. */
export const UsageSchema = z
  .object({
    tenant: z.string(),
    cpuSeconds: z.number().openapi({ description: 'CPU-seconds used by its sandboxes' }),
    memoryPeakBytes: z.number().openapi({ description: "Sum of each sandbox's peak memory" }),
    sandboxes: z.number().openapi({ description: 'Sandboxes claimed, released ones included' }),
    activeSandboxes: z.number(),
    instances: z.record(z.string(), z.number()).openapi({ description: 'Instances by status' }),
  })
  .openapi('Usage');

/** A JSON response body described only loosely in the document. */
export const JsonObjectSchema = z.record(z.string(), z.unknown());

/** Describes a JSON response in the OpenAPI document. */
export function jsonContent<T extends z.ZodType>(
  schema: T,
  description: string,
): { description: string; content: { 'application/json': { schema: T } } } {
  return { description, content: { 'application/json': { schema } } };
}
