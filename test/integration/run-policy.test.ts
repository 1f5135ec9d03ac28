/**
 * `sandstack run --policy`: a policy file's rules join the default policy of the run's guard,
 * so a run may fetch an internal host the file allows, with the run's trace context on the
 * request. The host is an HTTP server on 127.0.0.1 that this test starts.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';

const WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Internal extends WorkflowEntrypoint {
  async run(event, step) {
    return step.do('fetch', { retries: { limit: 0, delay: 0 } }, async () => {
      try {
        const response = await this.env.FETCH.fetch(event.payload.url);
        return { ok: true, body: response.body };
      } catch (error) {
        return { ok: false, message: error.message };
      }
    });
  }
}
`;

interface Summary {
  status: string;
  output?: { ok: boolean; body?: string; message?: string };
}

describe('sandstack run --policy', () => {
  let state: { path: string; remove: () => Promise<void> };
  let server: Server;
  let url = '';
  const requests: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    state = await makeTempDir('policy');
    await writeFile(join(state.path, 'internal.ts'), WORKFLOW);
    await writeFile(
      join(state.path, 'policy.yaml'),
      'permissions:\n  allow:\n    - WebFetch(domain:127.0.0.1)\n',
    );
    server = createServer((request, response) => {
      requests.push(request.headers);
      response.end('internal');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await state.remove();
  });

  const run = async (extra: string[]): Promise<Summary> => {
    const result = await runCli([
      '--state-dir',
      join(state.path, 'state'),
      'run',
      join(state.path, 'internal.ts'),
      '--json',
      '--params',
      JSON.stringify({ url }),
      ...extra,
    ]);
    return JSON.parse(result.stdout) as Summary;
  };

  it('refuses an internal host by default', async () => {
    const summary = await run([]);
    expect(summary.output?.ok).toBe(false);
    expect(summary.output?.message).toContain('was not allowed');
    expect(requests).toEqual([]);
  });

  it('fetches a host the policy file allows', async () => {
    const summary = await run(['--policy', join(state.path, 'policy.yaml')]);
    expect(summary.status).toBe('complete');
    expect(summary.output).toEqual({ ok: true, body: 'internal' });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  });

  it('names a policy file that cannot be read', async () => {
    const result = await runCli([
      '--state-dir',
      join(state.path, 'state'),
      'run',
      join(state.path, 'internal.ts'),
      '--policy',
      join(state.path, 'missing.yaml'),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('missing.yaml');
  });
});
