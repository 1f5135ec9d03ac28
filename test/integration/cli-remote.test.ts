/**
 * The CLI against a `sandstack serve` started by the test, over real HTTP on 127.0.0.1:
 * deploy, run, list, sandbox exec and files, and the approval queue, with tokens from the
 * environment and from a config file, and the errors for a wrong token, an unreachable
 * server and a config file other users can read.
 */
import { chmod, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandstackClient } from '../../src/client/index.js';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { closeTestServer } from '../helpers/server.js';
import { REPO_ROOT, makeTempDir, runCli, startCli, type CliResult } from '../helpers/cli.js';

const ADMIN_TOKEN = `admin-${'r'.repeat(40)}`;
const WORKFLOW_DIR = join(REPO_ROOT, 'test', 'fixtures', 'workflows', 'remote-greet');
const FOLDER_WORKFLOW_DIR = join(REPO_ROOT, 'test', 'fixtures', 'workflows', 'remote-folder');
const PUSH_WORKFLOW_DIR = join(REPO_ROOT, 'test', 'fixtures', 'workflows', 'remote-push');

let dir: { path: string; remove: () => Promise<void> };
let server: RunningServer;
let tenantToken: string;
/** Config file path for tests that do not use one; it never exists. */
let noConfig: string;

beforeAll(async () => {
  dir = await makeTempDir('cli-remote');
  noConfig = join(dir.path, 'no-config.yaml');
  server = await startServer({
    stateDir: join(dir.path, 'state'),
    port: 0,
    adminToken: ADMIN_TOKEN,
  });
  const admin = new SandstackClient({ baseUrl: server.url, token: ADMIN_TOKEN });
  await admin.tenants.create({ id: 'acme' });
  tenantToken = (await admin.tenants.createToken('acme', { label: 'cli' })).secret;
}, 60_000);

afterAll(async () => {
  await closeTestServer(server);
  await dir?.remove();
});

/** Runs the CLI with the server and token in the environment and no config file. */
function cliWithEnv(args: string[], token = tenantToken): Promise<CliResult> {
  return runCli(args, {
    cwd: dir.path,
    env: { SANDSTACK_SERVER: server.url, SANDSTACK_TOKEN: token, SANDSTACK_CONFIG: noConfig },
  });
}

function parse<T>(result: CliResult): T {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** Returns a loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('remote CLI with a token from the environment', () => {
  it('deploys, runs and lists a workflow', async () => {
    const deployed = parse<{ workflow: string; version: string; created: boolean }>(
      await cliWithEnv(['workflow', 'deploy', WORKFLOW_DIR, '--name', 'remote-greet', '--json']),
    );
    expect(deployed.workflow).toBe('remote-greet');
    expect(deployed.version).toMatch(/^[0-9a-f]{64}$/);

    const run = await cliWithEnv(['run', WORKFLOW_DIR, '--params', '{"name": "ada"}', '--json']);
    const summary = parse<{
      instanceId: string;
      tenant: string;
      status: string;
      output: { echo: string; notes: string; secretAllowed: boolean };
      allowed: number;
      blocked: { tool: string; category: string | null }[];
      traceId: string;
    }>(run);
    expect(summary.status).toBe('complete');
    expect(summary.tenant).toBe('acme');
    expect(summary.output).toEqual({
      echo: 'hello-ada',
      notes: 'remember the milk',
      secretAllowed: false,
    });
    expect(summary.allowed).toBe(1);
    expect(summary.blocked.map((call) => call.category)).toEqual(['credential-exploration']);
    expect(summary.traceId).toMatch(/^[0-9a-f]{32}$/);

    const versions = parse<{ workflow: string; hash: string }[]>(
      await cliWithEnv(['workflow', 'list', '--json']),
    );
    expect(versions.map((version) => version.workflow)).toEqual(['remote-greet']);
    expect(versions[0]?.hash).toBe(deployed.version);

    const instances = parse<{ id: string; status: string }[]>(
      await cliWithEnv(['instance', 'list', '--json']),
    );
    expect(instances.map((item) => item.id)).toContain(summary.instanceId);

    const shown = await cliWithEnv(['instance', 'get', summary.instanceId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`${summary.instanceId}  remote-greet  complete`);
    expect(shown.stdout).toContain('echo#1  do  complete  attempt 1');

    const cost = parse<{ groupBy: string; lines: { key: string; sandboxes: number }[] }>(
      await cliWithEnv(['cost', '--by', 'run', '--json']),
    );
    expect(cost.groupBy).toBe('run');
    expect(cost.lines.map((line) => line.key)).toEqual([summary.instanceId, 'total']);
    expect(cost.lines[0]?.sandboxes).toBe(1);

    const trace = await cliWithEnv(['trace', summary.instanceId]);
    expect(trace.code).toBe(0);
    expect(trace.stdout).toContain(`trace ${summary.traceId}`);
    expect(trace.stdout).toContain('workflow.run');
  }, 240_000);

  it('uploads a folder input as a tar archive', async () => {
    parse(
      await cliWithEnv([
        'workflow',
        'deploy',
        FOLDER_WORKFLOW_DIR,
        '--name',
        'remote-folder',
        '--json',
      ]),
    );
    const run = await cliWithEnv(['run', FOLDER_WORKFLOW_DIR, '--json']);
    const summary = parse<{ status: string; output: { files: string[] } }>(run);
    expect(summary.status).toBe('complete');
    expect(summary.output.files).toEqual(['alpha', 'beta']);
  }, 120_000);

  it("reports a terminated run's released sandboxes", async () => {
    const client = new SandstackClient({ baseUrl: server.url, token: tenantToken });
    await client.workflows.deploy({
      name: 'remote-hold',
      source: `import { WorkflowEntrypoint } from 'sandstack/workflows';
        export class Hold extends WorkflowEntrypoint {
          async run(event, step) {
            await step.do('claim', async () => this.env.SANDBOX.claim({}));
            await step.waitForEvent('go', { type: 'go', timeout: '1 hour' });
          }
        }`,
    });
    const { id } = await client.instances.create({ workflow: 'remote-hold' });
    let claimed: string | undefined;
    // Bounded: 600 polls of 100 ms.
    for (let poll = 0; poll < 600 && claimed === undefined; poll += 1) {
      const sandboxes = await client.sandboxes.list();
      claimed = sandboxes.find((sandbox) => sandbox.runId === id)?.id;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(claimed).toBeDefined();

    const report = parse<{ status: string; releasedSandboxes: string[] }>(
      await cliWithEnv(['instance', 'terminate', id, '--json']),
    );
    expect(report.status).toBe('terminated');
    expect(report.releasedSandboxes).toEqual([claimed]);
    const all = await client.sandboxes.list({ includeReleased: true });
    expect(all.find((sandbox) => sandbox.id === claimed)?.state).toBe('released');
  }, 120_000);

  it('rejects a directory input that is not a tar archive', async () => {
    const client = new SandstackClient({ baseUrl: server.url, token: tenantToken });
    const error = await client.instances
      .create({
        workflow: 'remote-folder',
        inputs: { repo: { type: 'directory', content: 'not a tar', encoding: 'utf8' } },
      })
      .then(
        () => undefined,
        (caught: unknown) => caught as Error,
      );
    expect(error?.message).toContain(
      'Input "repo" has type "directory" but its content is not a tar archive',
    );
  });

  it('decides approval requests with the admin token', async () => {
    const queue = server.context.approvals;
    const first = await queue.enqueue({
      tool: 'Bash',
      input: { command: 'make deploy' },
      reason: 'r',
    });
    const second = await queue.enqueue({
      tool: 'Bash',
      input: { command: 'rm -rf out' },
      reason: 'r',
    });

    const pending = parse<{ id: string }[]>(
      await cliWithEnv(
        ['guard', 'approvals', 'list', '--status', 'pending', '--json'],
        ADMIN_TOKEN,
      ),
    );
    expect(pending.map((request) => request.id).sort()).toEqual([first.id, second.id].sort());

    const approved = await cliWithEnv(
      ['guard', 'approvals', 'approve', first.id, '--by', 'alice'],
      ADMIN_TOKEN,
    );
    expect(approved.stdout.trim()).toBe(`Request ${first.id} approved`);
    const denied = parse<{ status: string; decidedBy: string; decidedByLabel: string }>(
      await cliWithEnv(
        ['guard', 'approvals', 'deny', second.id, '--by', 'bob', '--json'],
        ADMIN_TOKEN,
      ),
    );
    expect(denied.status).toBe('denied');
    expect(denied.decidedBy).toBe('admin-env');
    expect(denied.decidedByLabel).toBe('bob');
    expect((await queue.get(first.id))?.status).toBe('approved');
  }, 60_000);

  it('shows a run waiting for approval', async () => {
    const run = startCli(['run', PUSH_WORKFLOW_DIR], {
      cwd: dir.path,
      env: {
        SANDSTACK_SERVER: server.url,
        SANDSTACK_TOKEN: tenantToken,
        SANDSTACK_CONFIG: noConfig,
      },
    });
    await run.waitForOutput(/waiting for approval (apr_\w+): Bash/, 60_000);
    const pending = await server.context.approvals.list({ status: 'pending' });
    const request = pending.find((item) => item.sessionId?.startsWith('acme/'));
    expect(request).toBeDefined();
    await server.context.approvals.approve(request?.id ?? '', { by: 'carol' });
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `approve with "sandstack guard approvals approve ${request?.id}"`,
    );
    expect(result.stdout.match(/waiting for approval/g)).toHaveLength(1);
    // The branch step completed before the push requested approval, so its line comes first.
    const lines = result.stdout.split('\n');
    const branchLine = lines.findIndex((line) => /✓ branch\b/.test(line));
    const waitingLine = lines.findIndex((line) => line.includes('waiting for approval'));
    expect(branchLine, result.stdout).toBeGreaterThanOrEqual(0);
    expect(branchLine, result.stdout).toBeLessThan(waitingLine);
  }, 120_000);

  it("shows a tenant token only its own runs' approvals", async () => {
    const result = await cliWithEnv(['guard', 'approvals', 'list', '--json']);
    expect(result.code, result.stderr).toBe(0);
    // The admin's requests above came from no run, so a tenant sees only its runs' requests.
    const sessions = (JSON.parse(result.stdout) as { sessionId: string | null }[]).map(
      (request) => request.sessionId?.split('/')[0] ?? null,
    );
    expect(sessions.filter((tenant) => tenant !== 'acme')).toEqual([]);
  }, 60_000);
});

describe('remote CLI with a token from a config file', () => {
  it('logs in, then claims, execs, copies files and releases', async () => {
    const config = join(dir.path, 'config', 'sandstack', 'config.yaml');
    const env = { SANDSTACK_CONFIG: config };
    const login = await runCli(
      ['--server', server.url, '--context', 'dev', 'login', '--token-stdin'],
      {
        cwd: dir.path,
        env,
        input: `${tenantToken}\n`,
      },
    );
    expect(login.stderr).toBe('');
    expect(login.stdout).toContain('as tenant "acme"');
    expect((await stat(config)).mode & 0o777).toBe(0o600);

    // No --server and no SANDSTACK_TOKEN: the current context gives both.
    const cli = (args: string[]): Promise<CliResult> => runCli(args, { cwd: dir.path, env });
    const claimed = parse<{ id: string; state: string }>(await cli(['sandbox', 'claim', '--json']));
    expect(claimed.state).toBe('claimed');

    const exec = await cli(['sandbox', 'exec', claimed.id, 'echo', 'remote-$((6*7))']);
    expect(exec.code).toBe(0);
    expect(exec.stdout.trim()).toBe('remote-42');
    // A non-zero exit code is a result, passed on as the CLI's own exit code.
    const failed = await cli(['sandbox', 'exec', claimed.id, 'exit 3', '--json']);
    expect(failed.code).toBe(3);
    expect((JSON.parse(failed.stdout) as { exitCode: number }).exitCode).toBe(3);

    const hostFile = join(dir.path, 'upload.txt');
    await writeFile(hostFile, 'from the host\n');
    const put = await cli(['sandbox', 'files', 'put', claimed.id, 'in/upload.txt', hostFile]);
    expect(put.stdout.trim()).toBe(`wrote 14 bytes to in/upload.txt in ${claimed.id}`);
    const got = await cli(['sandbox', 'files', 'get', claimed.id, 'in/upload.txt']);
    expect(got.stdout).toBe('from the host\n');

    const listed = parse<{ id: string }[]>(await cli(['sandbox', 'list', '--json']));
    expect(listed.map((sandbox) => sandbox.id)).toContain(claimed.id);
    const released = await cli(['sandbox', 'release', claimed.id]);
    expect(released.stdout).toContain(`${claimed.id} released`);

    const contexts = await cli(['context', 'list']);
    expect(contexts.stdout.trim()).toBe(`* dev  ${server.url}`);
    expect(contexts.stdout).not.toContain(tenantToken);
    await cli(['context', 'use', 'local']);
    const local = await cli(['--state-dir', join(dir.path, 'local-state'), 'instance', 'list']);
    expect(local.stdout.trim()).toBe('No instances for tenant "default"');
  }, 240_000);

  it('rejects a config file other users can read', async () => {
    const config = join(dir.path, 'open-config.yaml');
    await writeFile(
      config,
      `current-context: dev\ncontexts:\n  dev:\n    server: ${server.url}\n    token: ${tenantToken}\n`,
    );
    await chmod(config, 0o644);
    const result = await runCli(['instance', 'list'], {
      cwd: dir.path,
      env: { SANDSTACK_CONFIG: config },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[INVALID_CONFIG]');
    expect(result.stderr).toContain('has mode 0644');
    expect(result.stderr).toContain(`chmod 600 ${config}`);
  }, 60_000);
});

describe('remote CLI errors', () => {
  it('names routes over HTTP, commands in the CLI', async () => {
    const response = await fetch(`${server.url}/v1/instances/run_missing`, {
      headers: { authorization: `Bearer ${tenantToken}` },
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('check the id with GET /v1/instances');
    expect(body.error.message).not.toContain('sandstack instance list');

    const result = await cliWithEnv(['instance', 'get', 'run_missing']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('check the id with "sandstack instance list"');
    expect(result.stderr).not.toContain('/v1/instances');
  });

  it('names the token source for a wrong token', async () => {
    const result = await cliWithEnv(['instance', 'list'], 'sst_not-a-real-token');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[UNAUTHENTICATED, HTTP 401]');
    expect(result.stderr).toContain('the token came from SANDSTACK_TOKEN');
  }, 60_000);

  it('names the address of an unreachable server', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(['workflow', 'list'], {
      cwd: dir.path,
      env: { SANDSTACK_SERVER: url, SANDSTACK_TOKEN: tenantToken, SANDSTACK_CONFIG: noConfig },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[UNREACHABLE]');
    expect(result.stderr).toContain(`GET /v1/workflows to ${url} failed`);
    expect(result.stderr).toContain('ECONNREFUSED');
  }, 60_000);

  it('asks for a token when a server has none', async () => {
    const result = await runCli(['--server', server.url, 'instance', 'list'], {
      cwd: dir.path,
      env: { SANDSTACK_CONFIG: noConfig, SANDSTACK_TOKEN: '' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No token for server ${server.url}`);
    expect(result.stderr).toContain('sandstack login');
  }, 60_000);

  it('says which commands have no HTTP counterpart', async () => {
    const result = await cliWithEnv(['pool', 'delete', 'python']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"sandstack pool delete" works only on the local state folder');
    const tenant = await cliWithEnv(['instance', 'list', '--tenant', 'other']);
    expect(tenant.code).toBe(1);
    expect(tenant.stderr).toContain('--tenant does not apply with a server');
  }, 60_000);
});
