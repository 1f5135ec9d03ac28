/**
 * A body over the server's limit, sent by `sandstack/client` over real HTTP on 127.0.0.1:
 * whether the 413 arrives or the server closes the connection first, the error names the
 * body limit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandstackClient, isSandstackApiError } from '../../src/client/index.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { closeTestServer } from '../helpers/server.js';

const ADMIN_TOKEN = `admin-${'b'.repeat(40)}`;

describe('request bodies over the limit', () => {
  let dir = '';
  let server: RunningServer;
  let client: SandstackClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandstack-large-body-'));
    server = await startServer({
      stateDir: dir,
      port: 0,
      adminToken: ADMIN_TOKEN,
      maxBodyBytes: 64 * 1024,
    });
    const admin = new SandstackClient({ baseUrl: server.url, token: ADMIN_TOKEN });
    await admin.tenants.create({ id: 'acme' });
    const token = (await admin.tenants.createToken('acme')).secret;
    client = new SandstackClient({ baseUrl: server.url, token });
  });

  afterAll(async () => {
    await closeTestServer(server);
    await rm(dir, { recursive: true, force: true });
  });

  it('names the body limit for a large upload', async () => {
    const body = new Uint8Array(8 * 1024 * 1024);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await client.sandboxes
        .writeFile('sbx_none', 'big.bin', body)
        .catch((caught: unknown) => caught);
      if (isSandstackApiError(error)) {
        expect(error.status).toBe(413);
        expect(error.message).toContain('--max-body-bytes');
      } else {
        expect((error as Error).message).toContain('body limit');
        expect((error as Error).message).toContain('--max-body-bytes');
      }
    }
  });
});
