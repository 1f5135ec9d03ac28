/**
 * The web dashboard end to end, on a real server on 127.0.0.1 with a temp state folder. Real
 * headless Chromium logs in with tokens and approves a guard `ask` of a running workflow
 * from the page. It then reads the run's steps, decisions and trace waterfall.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/http/server.js';
import { launchChromium, watchPageProblems, type TestBrowser } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/cli.js';

const ADMIN_TOKEN = `admin-${'d'.repeat(40)}`;
const SCREENSHOTS = join(REPO_ROOT, 'test-output', 'dashboard');
/** Markup in a tool input and in command output; the page must show it as text. */
const MARKUP = '<img src=x onerror=alert(document.domain)>';

const PUSH_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Push extends WorkflowEntrypoint {
  async run(event, step) {
    const box = await step.do('claim', async () => this.env.SANDBOX.claim({ template: 'default' }));
    const listing = await step.do('list files', async () => this.env.SANDBOX.exec(box.id, 'ls -a'));
    // The guard decides "ask" for a push to the default branch, so this step waits for a human.
    const push = await step.do('push', async () =>
      this.env.SANDBOX.exec(box.id, "echo '${MARKUP}' && git push origin main"),
    );
    await step.do('release', async () => {
      await this.env.SANDBOX.release(box.id);
      return null;
    });
    return { listed: listing.exitCode, allowed: push.allowed, exitCode: push.exitCode, output: push.output };
  }
}
`;

const ECHO_WORKFLOW = `import { WorkflowEntrypoint } from 'sandstack/workflows';
export class Echo extends WorkflowEntrypoint {
  async run(event, step) {
    return step.do('echo', async () => ({ said: event.payload.word }));
  }
}
`;

describe('web dashboard', () => {
  let dir: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let acme: string;
  let globex: string;
  let acmeRun: string;

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = (await response.json()) as Record<string, unknown>;
    if (!response.ok) {
      throw new Error(`${method} ${path}: HTTP ${response.status} ${JSON.stringify(parsed)}`);
    }
    return parsed;
  };

  const createTenant = async (id: string): Promise<string> => {
    await api(ADMIN_TOKEN, 'POST', '/v1/tenants', { id });
    const token = await api(ADMIN_TOKEN, 'POST', `/v1/tenants/${id}/tokens`, { label: 'e2e' });
    return token.secret as string;
  };

  const openDashboard = async (): Promise<{
    page: Page;
    problems: ReturnType<typeof watchPageProblems>;
  }> => {
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${server.url}/dashboard`);
    return { page, problems };
  };

  const logIn = async (page: Page, token: string): Promise<void> => {
    await page.fill('#token', token);
    await page.click('button[type=submit]');
  };

  const screenshot = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    // Launch first, so a missing Chromium fails the suite at once with the install hint.
    browser = await launchChromium();
    await mkdir(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'sandstack-dashboard-'));
    server = await startServer({
      stateDir: dir,
      port: 0,
      host: '127.0.0.1',
      adminToken: ADMIN_TOKEN,
    });
    acme = await createTenant('acme');
    globex = await createTenant('globex');
    await api(acme, 'POST', '/v1/workflows', { name: 'push', source: PUSH_WORKFLOW });
    await api(acme, 'POST', '/v1/workflows', { name: 'echo', source: ECHO_WORKFLOW });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    const controller = server?.context.stack.controller;
    for (const record of controller?.list() ?? []) {
      await controller?.release(record.id);
    }
    await server?.close();
    if (dir !== undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${server.url}/dashboard`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const page = await response.text();
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page).not.toMatch(/https?:\/\//);
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/dashboard');
  });

  it('approves an ask from the page and shows the finished run', async () => {
    const { page, problems } = await openDashboard();
    await logIn(page, acme);
    await page.getByTestId('tenant').filter({ hasText: 'acme' }).waitFor();
    await page.getByText('No runs yet').waitFor();

    const created = await api(acme, 'POST', '/v1/instances', { workflow: 'push' });
    acmeRun = created.id as string;
    expect(await page.evaluate('sessionStorage.length')).toBe(1);
    expect(page.url()).not.toContain(acme);

    // The runs page refreshes by itself and marks the run that waits for a human.
    const row = page.locator(`tr[data-run="${acmeRun}"]`);
    await row.getByText('needs approval').waitFor({ timeout: 60_000 });
    await screenshot(page, 'runs-waiting');
    await row.getByRole('link', { name: acmeRun }).click();

    const card = page.getByTestId('run-approvals').locator('.approval-card');
    await card.waitFor();
    await expect.poll(() => card.locator('.approval-input').textContent()).toContain(MARKUP);
    expect(await page.locator('img').count()).toBe(0);
    await page.getByTestId('steps').getByText('list files').waitFor();
    await screenshot(page, 'run-waiting');

    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.page-header [data-status="complete"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('waterfall').locator('[data-span="workflow.run"]').waitFor();
    expect(await page.getByTestId('run-approvals').count()).toBe(0);

    const actions = page.getByTestId('actions');
    await actions.getByText('approved request').waitFor();
    expect(await actions.locator('[data-status="allow"]').count()).toBeGreaterThanOrEqual(3);
    const output = (await page.getByTestId('run-output').textContent()) ?? '';
    expect(output).toContain(MARKUP);
    expect(output).toContain('"allowed": true');
    for (const name of ['workflow.step', 'guard.decide', 'sandbox.claim']) {
      expect(
        await page.getByTestId('waterfall').locator(`[data-span="${name}"]`).count(),
      ).toBeGreaterThan(0);
    }
    const tools = page.getByTestId('waterfall').locator('[data-span^="execute_tool "]');
    expect(await tools.count()).toBeGreaterThan(0);
    expect(await tools.first().locator('.wf-bar-sandbox-exec').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    await screenshot(page, 'run-complete');

    await page.click('a.nav-link:has-text("Approvals")');
    await page.getByText('Nothing is waiting for approval').waitFor();
    await page.locator('.table [data-status="approved"]').first().waitFor();
    await screenshot(page, 'approvals');

    await page.click('a.nav-link:has-text("Sandboxes")');
    await page.getByTestId('sandboxes').waitFor({ state: 'detached' });
    await page.getByText('No claimed sandboxes').waitFor();
    await page.getByText('Show released').click();
    await page.getByTestId('sandboxes').locator('[data-status="released"]').first().waitFor();
    await screenshot(page, 'sandboxes');

    await page.click('a.nav-link:has-text("Usage and cost")');
    await page.locator(`[data-chart="CPU-seconds used"] a:has-text("${acmeRun}")`).waitFor();
    await screenshot(page, 'cost');

    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it("shows another tenant none of the first tenant's runs", async () => {
    expect(acmeRun).toBeDefined();
    const { page, problems } = await openDashboard();
    await logIn(page, globex);
    await page.getByTestId('tenant').filter({ hasText: 'globex' }).waitFor();
    await page.getByText('No runs yet').waitFor();
    expect(await page.getByText(acmeRun).count()).toBe(0);

    // The API, not the page, keeps the run out of reach: its id returns 404.
    await page.goto(`${server.url}/dashboard#/runs/${acmeRun}`);
    await page.locator('.banner-error').filter({ hasText: 'not found' }).waitFor();
    await screenshot(page, 'other-tenant-run');

    await page.click('a.nav-link:has-text("Approvals")');
    await page.getByText('Nothing is waiting for approval').waitFor();
    await page.getByText('No decisions yet').waitFor();
    await page.click('a.nav-link:has-text("Usage and cost")');
    await page.getByText('No metered usage yet').waitFor();

    // Only the 404s of the other tenant's run are expected in the console.
    const unexpected = problems.filter(
      (problem) =>
        !(problem.kind === 'console' && problem.url.includes(`/v1/instances/${acmeRun}`)),
    );
    expect(unexpected).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
    await page.close();
  }, 120_000);

  it('shows the admin every tenant and their cost', async () => {
    expect(acmeRun).toBeDefined();
    const { page, problems } = await openDashboard();
    await logIn(page, ADMIN_TOKEN);
    const tenants = page.getByTestId('tenants');
    await tenants.locator('strong', { hasText: 'acme' }).waitFor();
    await tenants.locator('strong', { hasText: 'globex' }).waitFor();
    await tenants.getByText('1 complete').waitFor();
    await screenshot(page, 'admin-tenants');

    await page.click('a.nav-link:has-text("Usage and cost")');
    const rows = page.getByTestId('cost').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.allTextContents()).toEqual([
      expect.stringMatching(/^acme/),
      expect.stringMatching(/^total/),
    ]);
    await screenshot(page, 'admin-cost');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('explains a bad token at the log-in screen', async () => {
    const { page, problems } = await openDashboard();
    await page.click('button[type=submit]');
    await page.locator('.banner-error').filter({ hasText: 'Paste a token first' }).waitFor();

    await logIn(page, 'sst_this-token-does-not-exist');
    const banner = page.locator('.banner-error');
    await banner.filter({ hasText: 'The server rejected this token' }).waitFor();
    expect(await banner.textContent()).toContain('Unknown or revoked token');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await screenshot(page, 'bad-token');

    // The rejected log-in request is the only expected console error.
    const unexpected = problems.filter(
      (problem) => !(problem.kind === 'console' && problem.url.endsWith('/v1/whoami')),
    );
    expect(unexpected).toEqual([]);
    await page.close();
  });

  it('starts a run from the page and follows it', async () => {
    const { page, problems } = await openDashboard();
    await logIn(page, acme);
    const form = page.getByTestId('start-run');
    await form.locator('option[value="echo"]').waitFor({ state: 'attached' });
    await form.locator('select').selectOption('echo');

    await form.locator('textarea').fill('{"word": ');
    await form.getByRole('button', { name: 'Start run' }).click();
    await form.locator('.banner-error').filter({ hasText: 'Params are not valid JSON' }).waitFor();
    await screenshot(page, 'start-run-bad-params');
    expect((await api(acme, 'GET', '/v1/instances?workflow=echo')).instances).toEqual([]);

    await form.locator('textarea').fill('{"word": "hello from the page"}');
    await form.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/[^/]+$/);
    const id = decodeURIComponent(page.url().split('#/runs/')[1] ?? '');
    await page.locator('.page-header [data-status="complete"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-output').textContent()).toContain('hello from the page');
    await screenshot(page, 'start-run-complete');

    const stored = (await api(acme, 'GET', `/v1/instances/${id}`)) as {
      workflow: string;
      params: unknown;
    };
    expect(stored.workflow).toBe('echo');
    expect(stored.params).toEqual({ word: 'hello from the page' });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("shows the admin every tenant's runs and sandboxes", async () => {
    const claimed = await api(globex, 'POST', '/v1/sandboxes', {});
    const { page, problems } = await openDashboard();
    await logIn(page, ADMIN_TOKEN);
    await page.click('a.nav-link:has-text("Runs")');
    const runs = page.getByTestId('runs');
    await runs.locator(`tr[data-run="${acmeRun}"]`).waitFor();
    const tenants = await runs.getByTestId('run-tenant').allTextContents();
    expect(tenants.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tenants)).toEqual(new Set(['acme']));
    expect(await page.getByTestId('start-run').count()).toBe(0);
    await screenshot(page, 'admin-runs');
    await page.getByTestId('tenant-filter').selectOption('globex');
    await page.getByText('No runs yet').waitFor();

    await page.click('a.nav-link:has-text("Sandboxes")');
    const row = page.getByTestId('sandboxes').locator('tr', { hasText: claimed.id as string });
    await row.getByTestId('sandbox-tenant').filter({ hasText: 'globex' }).waitFor();
    await screenshot(page, 'admin-sandboxes');
    await page.getByTestId('tenant-filter').selectOption('acme');
    await row.waitFor({ state: 'detached' });

    await api(globex, 'DELETE', `/v1/sandboxes/${claimed.id as string}`);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
