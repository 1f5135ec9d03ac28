/** `sandstack serve --spare-layers` and the stack option behind it. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSandstackError } from '../../src/core/errors.js';
import { openStack } from '../../src/server/stack.js';
import { makeTempDir, runCli, startCli } from '../helpers/cli.js';

describe('serve --spare-layers', () => {
  it.each(['9', '-1', 'two', '1.5'])('rejects %s', async (value) => {
    const temp = await makeTempDir('serve-spares');
    try {
      const result = await runCli(
        ['--state-dir', temp.path, 'serve', '--port', '0', '--spare-layers', value],
        { env: { SANDSTACK_ADMIN_TOKEN: '' } },
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(
        `--spare-layers "${value}" is invalid; use a whole number from 0 to 8`,
      );
      expect(existsSync(join(temp.path, 'state.db'))).toBe(false);
    } finally {
      await temp.remove();
    }
  });

  it('starts with 0', async () => {
    const temp = await makeTempDir('serve-spares');
    const cli = startCli(
      ['--state-dir', temp.path, 'serve', '--port', '0', '--spare-layers', '0'],
      {
        env: { SANDSTACK_ADMIN_TOKEN: '' },
      },
    );
    let stdout = '';
    cli.child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    try {
      await cli.waitForOutput(/listening on http:\/\/\S+/);
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1] ?? expect.fail(stdout);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
    } finally {
      // NOTE: the exit code is not checked: a SIGTERM right after the ready line sometimes
      // ends serve by the signal's default action, with or without this option.
      cli.child.kill('SIGTERM');
      await cli.done;
      await temp.remove();
    }
  }, 60_000);

  it('lists the option in help', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.stdout).toContain('--spare-layers <count>');
    expect(help.stdout).toContain('(default: "2")');
  });
});

describe('openStack spareLayers', () => {
  it('rejects 9 before opening files', async () => {
    const temp = await makeTempDir('stack-spares');
    try {
      const error = await openStack({ stateDir: temp.path, spareLayers: 9 }).then(
        () => undefined,
        (rejected: unknown) => rejected,
      );
      expect(isSandstackError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toBe(
        'spareLayers 9 is invalid; use a whole number from 0 to 8',
      );
      expect(existsSync(join(temp.path, 'state.db'))).toBe(false);
    } finally {
      await temp.remove();
    }
  });
});
