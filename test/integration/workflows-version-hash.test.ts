/**
 * A workflow's version is the hash of its bundle, so deploying the same files from another
 * working folder must give the same version (and not register a new one).
 */
import { relative } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';

const EXAMPLE = `${REPO_ROOT}/examples/agent-session`;

describe('workflow version hash', () => {
  let state: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    state = await makeTempDir('version-hash');
  });

  afterAll(async () => {
    await state.remove();
  });

  it('ignores the working folder', async () => {
    const versions: string[] = [];
    for (const cwd of [REPO_ROOT, `${REPO_ROOT}/examples`, tmpdir()]) {
      const result = await runCli(
        [
          '--state-dir',
          state.path,
          'workflow',
          'deploy',
          relative(cwd, EXAMPLE),
          '--name',
          'agent-session',
          '--json',
        ],
        { cwd },
      );
      expect(result.code, result.stderr).toBe(0);
      versions.push((JSON.parse(result.stdout) as { version: string }).version);
    }
    expect(new Set(versions).size).toBe(1);
  }, 120_000);
});
