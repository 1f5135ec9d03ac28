/**
 * `sandstack sandbox exec` against real sandboxes: output reaches the CLI's stdout and
 * stderr while the command still runs, the CLI exits with the command's exit code, and
 * Ctrl-C kills the command inside the sandbox.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/store.js';
import { layoutOf } from '../../src/sandbox/drivers/shared.js';
import { SandboxController } from '../../src/sandbox/controller.js';
import { makeTempDir, runCli, startCli } from '../helpers/cli.js';
import { hostProcessesNaming, localDrivers } from '../helpers/sandbox.js';

const checks = await localDrivers();
const execFileAsync = promisify(execFile);

describe('sandstack sandbox exec streaming', () => {
  let state: { path: string; remove: () => Promise<void> };

  /**
   * Counts processes running `command` in the sandbox. For gVisor it asks runsc directly,
   * because a second CLI or controller would kill leftover commands when it attaches.
   */
  const sleepersLeft = async (id: string, command: string): Promise<number> => {
    const runscRoot = join(state.path, 'sandboxes', id, 'runsc');
    if (!existsSync(runscRoot)) {
      return hostProcessesNaming(command).length;
    }
    const { stdout } = await execFileAsync('runsc', [
      '--root',
      runscRoot,
      'exec',
      id,
      'ps',
      '-eo',
      'args',
    ]);
    return stdout.split('\n').filter((line) => line.startsWith(command)).length;
  };
  const cli = (args: string[]) =>
    runCli(['--state-dir', state.path, 'sandbox', ...args], { timeoutMs: 60_000 });

  beforeAll(async () => {
    state = await makeTempDir('exec-cli');
    // Stored directly, so these tests do not depend on `sandstack template create`. The
    // stdout limit is small so that one test can pass it; the other tests print less.
    const db = openDatabase(join(state.path, 'state.db'));
    const controller = new SandboxController({ db, stateDir: join(state.path, 'sandboxes') });
    controller.createTemplate({ name: 'cli-gvisor', runtime: 'gvisor', maxStdoutBytes: 64 });
    controller.createTemplate({
      name: 'cli-bubblewrap',
      runtime: 'bubblewrap',
      maxStdoutBytes: 64,
    });
    await controller.close();
    db.close();
  });

  afterAll(async () => {
    await state.remove();
  });

  it('rejects invalid numeric options', async () => {
    const cases: [string[], string][] = [
      [['exec', 'sbx_any', '--timeout', 'abc', '--', 'true'], '"abc" is not a whole number'],
      [['exec', 'sbx_any', '--timeout', '1e12', '--', 'true'], '1e12 is out of range'],
    ];
    for (const [args, expected] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toContain(expected);
    }
    const pool = await runCli([
      '--state-dir',
      state.path,
      'pool',
      'create',
      'p',
      '--replicas',
      '-1',
    ]);
    expect(pool.code).toBe(1);
    expect(pool.stderr).toContain('-1 is out of range; use 0 to');
  }, 60_000);

  it('rejects invalid tenant names', async () => {
    for (const tenant of ['', 'a/../b', 'has space']) {
      const result = await cli(['claim', '--template', 'cli-bubblewrap', '--tenant', tenant]);
      expect(result.code, tenant).toBe(1);
      expect(result.stderr, tenant).toContain(`Invalid tenant "${tenant}"`);
    }
    const listed = await cli(['list']);
    expect(listed.stdout).not.toContain('a/../b');
  }, 60_000);

  for (const { driver, check } of checks) {
    const suite = check.available ? describe : describe.skip;

    suite(driver.name, () => {
      let id = '';

      beforeAll(async () => {
        const claimed = await cli(['claim', '--template', `cli-${driver.name}`, '--json']);
        expect(claimed.code, claimed.stderr).toBe(0);
        id = (JSON.parse(claimed.stdout) as { id: string }).id;
      }, 120_000);

      afterAll(async () => {
        await cli(['release', id]);
      }, 120_000);

      it('prints the first line before the end', async () => {
        // The command waits for a file that the test writes only once the CLI has printed
        // the first line, so output held back until the end would leave it waiting.
        const command =
          'echo one; i=0; while [ ! -e go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; echo two; echo oops >&2; exit 7';
        const started = startCli(
          ['--state-dir', state.path, 'sandbox', 'exec', id, '--', command],
          {
            timeoutMs: 60_000,
          },
        );
        await started.waitForOutput('one\n', 30_000);
        const workspace = layoutOf(join(state.path, 'sandboxes', id)).workspace;
        writeFileSync(join(workspace, 'go'), '');
        const result = await started.done;
        expect(result.stdout).toBe('one\ntwo\n');
        expect(result.stderr).toBe('oops\n');
        expect(result.code).toBe(7);
      }, 60_000);

      it('kills the command on Ctrl-C', async () => {
        const started = startCli(
          ['--state-dir', state.path, 'sandbox', 'exec', id, '--', 'echo started; sleep 3037'],
          { timeoutMs: 60_000 },
        );
        await started.waitForOutput('started\n', 30_000);
        started.child.kill('SIGINT');
        const result = await started.done;
        expect(result.code).toBe(130);
        expect(result.stderr).toContain('the command was killed in the sandbox');
        expect(await sleepersLeft(id, 'sleep 3037')).toBe(0);
      }, 60_000);

      it('warns when output is cut', async () => {
        const result = await cli(['exec', id, '--', 'head -c 200 /dev/zero | tr "\\0" x']);
        expect(result.code).toBe(0);
        expect(result.stdout).toBe('x'.repeat(64));
        expect(result.stderr).toContain('output cut: stdout (maxStdoutBytes) went past its limit');
        expect(result.stderr).toContain(`sandstack sandbox files get ${id} <path>`);
      }, 60_000);

      it('lowers but never raises output limits', async () => {
        const lower = await cli([
          'exec',
          id,
          '--max-output-bytes',
          '10',
          '--',
          'head -c 200 /dev/zero | tr "\\0" x',
        ]);
        expect(lower.code).toBe(0);
        expect(lower.stdout).toBe('x'.repeat(10));
        const raised = await cli(['exec', id, '--max-output-bytes', '65', '--', 'true']);
        expect(raised.code).not.toBe(0);
        expect(raised.stderr).toContain(
          "maxOutputBytes 65 is over the template's stdout limit of 64 bytes",
        );
      }, 60_000);

      it('exits with the exit code under --json', async () => {
        const result = await cli(['exec', id, '--json', '--', 'echo hi; exit 4']);
        expect(result.code).toBe(4);
        expect((JSON.parse(result.stdout) as { stdout: string }).stdout).toBe('hi\n');
      }, 60_000);
    });
  }
});
