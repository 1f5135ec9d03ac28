/**
 * The state folder holds every tenant's run inputs and the state database, so a sandbox must
 * not see it even when the folder sits where the host's root filesystem is visible.
 */
import { access, chmod, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/**
 * A host folder that sandboxes see (read-only): the clone may sit under /tmp, /home or
 * /root, which sandboxes do not see, so the repository cannot serve as the visible place.
 */
const VISIBLE_PARENT = '/opt';

interface Summary {
  status: string;
  commands: { step: string; exitCode: number | null; verdict: string }[];
}

describe('sandstack run state folder', () => {
  let root: string;

  beforeAll(async () => {
    await access(VISIBLE_PARENT, constants.W_OK);
    root = await mkdtemp(join(VISIBLE_PARENT, 'sandstack-hidden-state-'));
    // mkdtemp makes the folder 0700, and sandboxed commands do not run as root.
    await chmod(root, 0o755);
    await writeFile(join(root, 'visible.txt'), 'visible\n');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is hidden from the sandbox', async () => {
    const state = join(root, 'state');
    const probe = (path: string) => ({
      type: 'tool_use',
      name: 'Bash',
      input: { command: `test -e ${path}` },
    });
    const session = join(root, 'session.jsonl');
    await writeFile(
      session,
      [
        { type: 'user', text: 'Check which files exist.' },
        probe(join(root, 'visible.txt')),
        probe(join(state, 'state.db')),
        probe(join(state, 'inputs')),
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    // A first run leaves its inputs and database behind for the second to look for.
    const first = await runCli(['--state-dir', state, 'run', 'examples/agent-session', '--json']);
    expect(first.code, first.stderr).toBe(0);

    const result = await runCli([
      '--state-dir',
      state,
      'run',
      'examples/agent-session',
      '--tenant',
      'other',
      '--json',
      '--params',
      JSON.stringify({ session }),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Summary;
    const probes = summary.commands.filter((command) => /^\d+ /.test(command.step));
    expect(probes.map((command) => command.verdict)).toEqual(['allow', 'allow', 'allow']);
    // The state folder's parent is visible, so a missing state folder is the hiding at work.
    expect(probes.map((command) => command.exitCode)).toEqual([0, 1, 1]);
  }, 240_000);
});
