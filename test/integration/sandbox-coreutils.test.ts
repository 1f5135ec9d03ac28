/**
 * The file tools agents call most (`ls -l`, `stat`, `find -printf`) on both runtimes. Under
 * Debian 12's runsc they fail with "Invalid argument" unless the statx shim is preloaded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestController, type TestController } from '../helpers/sandbox.js';

describe.each(['gv', 'bw'])('coreutils in template %s', (template) => {
  let harness: TestController;

  beforeAll(() => {
    harness = createTestController();
  });

  afterAll(async () => {
    await harness.cleanup();
  });

  it.each([
    ['ls -la', 'ls -la /workspace /usr/bin/env'],
    ['stat', 'stat -c %F /workspace /'],
    ['find -printf', 'find /workspace -maxdepth 0 -printf "%M %p\\n"'],
    ['ls -l in /tmp', 'touch /tmp/x && ls -l /tmp/x'],
  ])('runs %s', async (_name, command) => {
    const { sandbox } = await harness.controller.claim({ template, tenant: 'acme' });
    const result = await sandbox.exec({ command });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('?');
  });
});
