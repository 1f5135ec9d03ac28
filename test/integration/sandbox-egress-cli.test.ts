/**
 * One-shot CLI commands on sandboxes with egress: the egress proxy that a command starts in
 * its own process must not keep that process running once the command's work is done.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/store.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { localDrivers } from '../helpers/sandbox.js';

const checks = await localDrivers();

describe.each(['bubblewrap', 'gvisor'] as const)('egress sandbox CLI on %s', (runtime) => {
  const available = checks.some(({ driver, check }) => driver.name === runtime && check.available);
  const run = available ? it : it.skip;
  let state: { path: string; remove: () => Promise<void> };
  let id = '';
  const cli = (args: string[]) =>
    runCli(['--state-dir', state.path, 'sandbox', ...args], { timeoutMs: 90_000 });

  beforeAll(async () => {
    state = await makeTempDir(`egress-cli-${runtime}`);
    const db = openDatabase(join(state.path, 'state.db'));
    const controller = new SandboxController({ db, stateDir: join(state.path, 'sandboxes') });
    controller.createTemplate({
      name: 'out',
      runtime,
      network: { egress: 'proxy', allow: ['allowed.test'] },
    });
    await controller.close();
    db.close();
  });

  afterAll(async () => {
    if (id !== '') {
      await cli(['release', id]);
    }
    await state.remove();
  });

  run('claim exits after printing', async () => {
    const claimed = await cli(['claim', '--template', 'out', '--json']);
    expect(claimed.code).toBe(0);
    id = (JSON.parse(claimed.stdout) as { id: string }).id;
    expect(id).toMatch(/^sbx_/);
  });

  run('exec through the proxy exits', async () => {
    const probe = await cli([
      'exec',
      id,
      'curl -s -o /dev/null -w "%{http_code}" http://refused.example/',
    ]);
    expect(probe.code).toBe(0);
    expect(probe.stdout).toBe('403');
  });
});
