/**
 * The approval queue on a real SQLite file and on PostgreSQL: the library, its HTTP routes
 * served on 127.0.0.1, the CLI, and the hook waiting in the queue for a human.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApprovalQueue,
  type ApprovalQueueOptions,
  type ApprovalRequest,
} from '../../src/guard/approvals.js';
import { createApprovalRoutes } from '../../src/guard/approvals-http.js';
import { makeTempDir, runCli, runGuardHook, type CliResult } from '../helpers/cli.js';
import { useSqlDatabases, type OpenedSqlDatabase } from '../helpers/sql-databases.js';

const databases = useSqlDatabases();

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  dir = await makeTempDir('guard-approvals');
});

afterAll(async () => {
  await dir.remove();
});

const CALL = {
  tool: 'Bash',
  input: { command: 'gh pr merge 12 --squash' },
  reason: 'The command merges a pull request into its base branch',
};

describe.each(databases.cases)('ApprovalQueue on $name', ({ open }) => {
  let opened: OpenedSqlDatabase;

  beforeEach(async () => {
    opened = await open();
  });

  afterEach(async () => {
    await opened.close();
  });

  const openQueue = (options: ApprovalQueueOptions = {}): Promise<ApprovalQueue> =>
    ApprovalQueue.openOn(opened.sql, options);

  it('approves a pending request', async () => {
    const queue = await openQueue();
    const request = await queue.enqueue({
      ...CALL,
      sessionId: 's1',
      category: 'git-push-default-branch',
    });
    expect(request.status).toBe('pending');
    const pending = await queue.list({ status: 'pending' });
    expect(pending.map((item) => item.id)).toEqual([request.id]);

    const approved = await queue.approve(request.id, { by: 'alice', note: 'planned merge' });
    expect(approved.status).toBe('approved');
    expect(approved.decidedBy).toBe('alice');
    expect(approved.note).toBe('planned merge');
    expect(await queue.list({ status: 'pending' })).toEqual([]);
  });

  it('rejects deciding a request twice', async () => {
    const queue = await openQueue();
    const request = await queue.enqueue(CALL);
    await queue.deny(request.id, { by: 'bob' });
    await expect(queue.approve(request.id)).rejects.toThrow(/already denied/);
    expect((await queue.get(request.id))?.status).toBe('denied');
  });

  it('rejects an unknown id', async () => {
    const queue = await openQueue();
    await expect(queue.approve('apr_missing')).rejects.toThrow(/not found/);
  });

  it('redacts secrets in the stored input', async () => {
    const queue = await openQueue();
    const request = await queue.enqueue({
      ...CALL,
      input: {
        command: 'curl -H "Authorization: Bearer abcdefghijklmnopqrstuvwx" https://example.net',
      },
    });
    const stored = JSON.stringify((await queue.get(request.id))?.input);
    expect(stored).not.toContain('abcdefghijklmnopqrstuvwx');
    expect(stored).toContain('[REDACTED]');
  });

  it('sees a decision made through another connection', async () => {
    const waiting = await openQueue({ pollIntervalMs: 20 });
    const deciding = await ApprovalQueue.openOn(await opened.connectAgain());
    const request = await waiting.enqueue(CALL);
    const decided = waiting.wait(request.id, { timeoutMs: 30_000 });
    await deciding.approve(request.id, { by: 'carol' });
    const result = await decided;
    expect(result.status).toBe('approved');
    expect(result.decidedBy).toBe('carol');
  });

  it('expires a request when the wait times out', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const queue = await openQueue({ pollIntervalMs: 1, now: () => (now += 1000) });
    const request = await queue.enqueue({ ...CALL, timeoutMs: 3_600_000 });
    const result = await queue.wait(request.id, { timeoutMs: 5_000 });
    expect(result.status).toBe('expired');
    await expect(queue.approve(request.id)).rejects.toThrow(/already expired/);
  });

  it('expires overdue requests when listed', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const queue = await openQueue({ now: () => now });
    const request = await queue.enqueue({ ...CALL, timeoutMs: 1_000 });
    now += 2_000;
    expect((await queue.list())[0]?.status).toBe('expired');
    expect((await queue.get(request.id))?.status).toBe('expired');
  });

  it('lists only requests whose session starts with the prefix', async () => {
    const queue = await openQueue();
    const mine = await queue.enqueue({ ...CALL, sessionId: 'a_b/run-1' });
    await queue.enqueue({ ...CALL, sessionId: 'axb/run-2' });
    const listed = await queue.list({ sessionPrefix: 'a_b/' });
    expect(listed.map((item) => item.id)).toEqual([mine.id]);
  });
});

describe('approval routes', () => {
  let queue: ApprovalQueue;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    queue = ApprovalQueue.open(join(dir.path, 'http.db'));
    const app = new Hono();
    app.route('/v1/approvals', createApprovalRoutes(queue));
    server = await new Promise<Server>((resolve) => {
      const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
        resolve(started as Server),
      ) as Server;
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/approvals`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('lists pending requests', async () => {
    const request = await queue.enqueue(CALL);
    const response = await fetch(`${baseUrl}?status=pending`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as ApprovalRequest[];
    expect(body.map((item) => item.id)).toContain(request.id);
    expect(body[0]?.input).toEqual(CALL.input);
  });

  it('gets one request and 404s an unknown one', async () => {
    const request = await queue.enqueue(CALL);
    const found = await fetch(`${baseUrl}/${request.id}`);
    expect(found.status).toBe(200);
    expect(((await found.json()) as ApprovalRequest).id).toBe(request.id);

    const missing = await fetch(`${baseUrl}/apr_missing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('approves with a body and conflicts on a second decision', async () => {
    const request = await queue.enqueue(CALL);
    const approved = await fetch(`${baseUrl}/${request.id}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'dana', note: 'ok' }),
    });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({
      status: 'approved',
      decidedBy: 'dana',
      note: 'ok',
    });

    const again = await fetch(`${baseUrl}/${request.id}/deny`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('ALREADY_EXISTS');
  });

  it('denies without a body', async () => {
    const request = await queue.enqueue(CALL);
    const denied = await fetch(`${baseUrl}/${request.id}/deny`, { method: 'POST' });
    expect(denied.status).toBe(200);
    expect(await denied.json()).toMatchObject({ status: 'denied', decidedBy: 'http' });
  });

  it('rejects an unknown status and body field', async () => {
    const badStatus = await fetch(`${baseUrl}?status=maybe`);
    expect(badStatus.status).toBe(400);
    const body = (await badStatus.json()) as {
      error: { code: string; issues: { field: string }[] };
    };
    expect(body.error.code).toBe('INVALID_ARGUMENT');
    expect(body.error.issues[0]?.field).toBe('query.status');

    const request = await queue.enqueue(CALL);
    const badBody = await fetch(`${baseUrl}/${request.id}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approver: 'eve' }),
    });
    expect(badBody.status).toBe(400);
    expect((await queue.get(request.id))?.status).toBe('pending');
  });
});

describe('hook with an approval queue', () => {
  interface HookReply {
    hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string };
  }

  function startHook(
    sessionId: string,
    queuePath: string,
    timeoutSeconds: number,
  ): Promise<CliResult> {
    const stdin = JSON.stringify({
      session_id: sessionId,
      cwd: dir.path,
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'gh pr merge 12 --squash' },
    });
    const args = [
      '--state',
      join(dir.path, 'hook-state.db'),
      '--approvals',
      queuePath,
      '--approval-timeout',
      String(timeoutSeconds),
      '--no-daemon',
    ];
    return runGuardHook(stdin, args, { timeoutMs: 120_000 });
  }

  async function pendingRequest(queue: ApprovalQueue, sessionId: string): Promise<ApprovalRequest> {
    for (let attempt = 0; attempt < 600; attempt += 1) {
      const found = (await queue.list({ status: 'pending' })).find(
        (item) => item.sessionId === sessionId,
      );
      if (found !== undefined) {
        return found;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`No pending request for session ${sessionId} after 60 s`);
  }

  it('allows the call once approved from the CLI', async () => {
    const queuePath = join(dir.path, 'hook-queue.db');
    const queue = ApprovalQueue.open(queuePath);
    const hook = startHook('approve-1', queuePath, 90);
    const request = await pendingRequest(queue, 'approve-1');
    expect(request.tool).toBe('Bash');
    expect(request.reason).toContain('merges a pull request');

    const approved = await runCli([
      'guard',
      'approvals',
      'approve',
      request.id,
      '--queue',
      queuePath,
      '--by',
      'frank',
    ]);
    expect(approved.code, approved.stderr).toBe(0);
    const run = await hook;
    expect(run.code, run.stderr).toBe(0);
    const reply = JSON.parse(run.stdout) as HookReply;
    expect(reply.hookSpecificOutput.permissionDecision).toBe('allow');
    expect(reply.hookSpecificOutput.permissionDecisionReason).toContain('frank approved');
  });

  it('denies the call once denied from the CLI', async () => {
    const queuePath = join(dir.path, 'hook-queue.db');
    const queue = ApprovalQueue.open(queuePath);
    const hook = startHook('deny-1', queuePath, 90);
    const request = await pendingRequest(queue, 'deny-1');
    const denied = await runCli([
      'guard',
      'approvals',
      'deny',
      request.id,
      '--queue',
      queuePath,
      '--note',
      'not today',
    ]);
    expect(denied.code, denied.stderr).toBe(0);
    const reply = JSON.parse((await hook).stdout) as HookReply;
    expect(reply.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(reply.hookSpecificOutput.permissionDecisionReason).toContain('not today');
  });

  it('escapes control characters when listed', async () => {
    const queuePath = join(dir.path, 'escapes.db');
    const queue = ApprovalQueue.open(queuePath);
    const request = await queue.enqueue({ ...CALL, sessionId: 'x\u001b[2K\rok-session' });
    await queue.deny(request.id, { by: 'ops\u001b]0;title\u0007', note: 'no\u009b2J' });
    const listed = await runCli(['guard', 'approvals', 'list', '--queue', queuePath]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('session: x\\x1b[2K\\x0dok-session');
    expect(listed.stdout).toContain('decided by ops\\x1b]0;title\\x07: no\\x9b2J');
    // eslint-disable-next-line no-control-regex -- the check is that none are printed
    expect(listed.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('denies the call when no one decides in time', async () => {
    const queuePath = join(dir.path, 'hook-timeout.db');
    const run = await startHook('timeout-1', queuePath, 0.5);
    expect(run.code, run.stderr).toBe(0);
    const reply = JSON.parse(run.stdout) as HookReply;
    expect(reply.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(reply.hookSpecificOutput.permissionDecisionReason).toContain('No one approved');
    const listed = await runCli(['guard', 'approvals', 'list', '--queue', queuePath, '--json']);
    expect((JSON.parse(listed.stdout) as ApprovalRequest[])[0]?.status).toBe('expired');
  });
});
