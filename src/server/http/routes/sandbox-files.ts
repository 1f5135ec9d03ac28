/**
 * Routes for folders in a sandbox: list, check, delete, and tar archives in and out. Each
 * operation is a command inside the sandbox (see `sandbox/files.ts`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  deleteFile,
  downloadArchive,
  fileExists,
  listFiles,
  uploadArchive,
} from '../../../sandbox/files.js';
import { actorOf, tenantOf } from '../auth.js';
import { BEARER, createRouter, type ServerContext } from '../context.js';
import { CLIENT_ERRORS } from '../errors.js';
import { jsonContent } from '../schemas.js';
import { SandboxParam, liveSandbox } from './sandboxes.js';

const TAG = { tags: ['sandboxes'], security: BEARER };
const TAR = { schema: z.string().openapi({ format: 'binary' }) };

const FolderQuery = z.object({
  path: z
    .string({ error: 'path is missing; pass ?path=<folder>, relative to the workdir or absolute' })
    .min(1, { error: 'path is empty; pass ?path=<folder>' }),
});

const DeleteQuery = FolderQuery.extend({
  recursive: z
    .enum(['true', 'false'], { error: 'recursive must be "true" or "false"' })
    .optional()
    .openapi({ description: 'Delete a folder and everything in it' }),
});

const FileEntrySchema = z
  .object({
    name: z.string(),
    type: z.enum(['file', 'directory', 'symlink', 'other']),
    sizeBytes: z.number(),
    modifiedMs: z.number().openapi({ description: 'Last modification, ms since 1970' }),
    mode: z.number().openapi({ description: 'Permission bits, such as 420 (0o644)' }),
  })
  .openapi('FileEntry');

export const listFilesRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}/files/list',
  summary: 'List a folder in the sandbox',
  description: 'Entries sorted by name; symlinks are listed, not followed. At most 10,000.',
  request: { params: SandboxParam, query: FolderQuery },
  responses: {
    200: jsonContent(
      z.object({ path: z.string(), entries: z.array(FileEntrySchema) }),
      'The entries',
    ),
    ...CLIENT_ERRORS,
  },
});

export const fileExistsRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}/files/exists',
  summary: 'Check whether a path exists in the sandbox',
  request: { params: SandboxParam, query: FolderQuery },
  responses: {
    200: jsonContent(z.object({ path: z.string(), exists: z.boolean() }), 'Whether it exists'),
    ...CLIENT_ERRORS,
  },
});

export const deleteFileRoute = createRoute({
  ...TAG,
  method: 'delete',
  path: '/{id}/files',
  summary: 'Delete a file or folder in the sandbox',
  description: 'A folder needs recursive=true. A symlink is removed, not its target.',
  request: { params: SandboxParam, query: DeleteQuery },
  responses: {
    200: jsonContent(z.object({ path: z.string(), deleted: z.literal(true) }), 'Deleted'),
    ...CLIENT_ERRORS,
  },
});

export const downloadArchiveRoute = createRoute({
  ...TAG,
  method: 'get',
  path: '/{id}/archive',
  summary: 'Download a folder of the sandbox as a tar archive',
  description: 'Member names are relative to the folder. At most 256 MiB.',
  request: { params: SandboxParam, query: FolderQuery },
  responses: {
    200: { description: 'The tar archive', content: { 'application/x-tar': TAR } },
    ...CLIENT_ERRORS,
  },
});

export const uploadArchiveRoute = createRoute({
  ...TAG,
  method: 'put',
  path: '/{id}/archive',
  summary: 'Unpack a tar archive into a folder of the sandbox',
  description:
    'Creates the folder. The whole archive is checked before anything is written: a member with an absolute path or "..", a device or FIFO, a member under a symlink of the archive, or a hard link to anything but an earlier file of the archive fails the request with 400, naming the member. The body counts against the server\'s --max-body-bytes.',
  request: {
    params: SandboxParam,
    query: FolderQuery,
    body: { required: true, content: { 'application/x-tar': TAR } },
  },
  responses: {
    200: jsonContent(z.object({ path: z.string(), bytes: z.number() }), 'Unpacked'),
    ...CLIENT_ERRORS,
  },
});

/** Creates the router for `/v1/sandboxes/{id}/files/*` and `/v1/sandboxes/{id}/archive`. */
export function sandboxFileRoutes(server: ServerContext): ReturnType<typeof createRouter> {
  const router = createRouter();

  router.openapi(listFilesRoute, async (c) => {
    const { path } = c.req.valid('query');
    const sandbox = await liveSandbox(server, tenantOf(c), c.req.valid('param').id);
    return c.json({ path, entries: await listFiles(sandbox, path) }, 200);
  });

  router.openapi(fileExistsRoute, async (c) => {
    const { path } = c.req.valid('query');
    const sandbox = await liveSandbox(server, tenantOf(c), c.req.valid('param').id);
    return c.json({ path, exists: await fileExists(sandbox, path) }, 200);
  });

  router.openapi(deleteFileRoute, async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    const { path, recursive } = c.req.valid('query');
    const sandbox = await liveSandbox(server, tenant, id);
    await deleteFile(sandbox, path, { recursive: recursive === 'true' });
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'sandbox.delete-file',
      target: id,
      detail: { path, recursive: recursive === 'true' },
    });
    return c.json({ path, deleted: true as const }, 200);
  });

  router.openapi(downloadArchiveRoute, async (c) => {
    const { path } = c.req.valid('query');
    const sandbox = await liveSandbox(server, tenantOf(c), c.req.valid('param').id);
    const archive = await downloadArchive(sandbox, path);
    return c.body(new Uint8Array(archive), 200, { 'content-type': 'application/x-tar' });
  });

  router.openapi(uploadArchiveRoute, async (c) => {
    const tenant = tenantOf(c);
    const { id } = c.req.valid('param');
    const { path } = c.req.valid('query');
    const sandbox = await liveSandbox(server, tenant, id);
    const archive = new Uint8Array(await c.req.arrayBuffer());
    await uploadArchive(sandbox, path, archive);
    server.tenants.audit({
      actor: actorOf(c),
      tenant,
      action: 'sandbox.upload',
      target: id,
      detail: { path, bytes: archive.byteLength },
    });
    return c.json({ path, bytes: archive.byteLength }, 200);
  });

  return router;
}
