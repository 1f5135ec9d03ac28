import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE } from '../../src/sandbox/templates.js';
import { runTool } from '../../src/sandbox/tools.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import { localDrivers } from '../helpers/sandbox.js';

const checks = await localDrivers();
const opts = { workdir: '/workspace' };

for (const { driver, check } of checks) {
  const suite = check.available ? describe : describe.skip;
  if (!check.available) {
    process.stderr.write(`Skipping ${driver.name} tool tests: ${check.reason ?? ''}\n`);
  }

  suite(`runTool on ${driver.name}`, () => {
    let dir = '';
    let sandbox: SandboxInstance;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sandstack-tools-'));
      sandbox = await driver.create({
        id: `sbx_tools${driver.name}`,
        template: DEFAULT_TEMPLATE,
        stateDir: join(dir, 'sbx'),
      });
      await sandbox.exec({
        command: [
          'git init -q repo && cd repo',
          'printf "def add(a, b):\\n    return a + b\\n" > calc.py',
          'printf "import unittest\\nfrom calc import add\\nclass T(unittest.TestCase):\\n    def test_add(self):\\n        self.assertEqual(add(1, 2), 3)\\n" > test_calc.py',
          'git add . && git -c user.email=t@e -c user.name=t commit -qm init',
        ].join(' && '),
      });
    });

    afterAll(async () => {
      await sandbox.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs the commands coding agents use', async () => {
      const commands = [
        'cd repo && git status --short',
        'cd repo && echo "# x" >> calc.py && git diff --stat',
        'cd repo && python3 -m unittest -q 2>&1',
        'grep -rn "def add" repo',
        'find repo -name "*.py" | sort',
        'sed -n 1p repo/calc.py',
        'cat repo/calc.py',
      ];
      for (const command of commands) {
        const result = await runTool(sandbox, { tool: 'Bash', input: { command } }, opts);
        expect(result.error, `${command}: ${result.output}`).toBeUndefined();
        expect(result.ok).toBe(true);
      }
    });

    it('reads with line numbers, offset and limit', async () => {
      const result = await runTool(
        sandbox,
        { tool: 'Read', input: { file_path: 'repo/calc.py', offset: 2, limit: 1 } },
        opts,
      );
      expect(result.output).toBe('     2\t    return a + b');
    });

    it('edits a unique string and rejects ambiguous ones', async () => {
      await runTool(
        sandbox,
        { tool: 'Write', input: { file_path: 'e.txt', content: 'x y x' } },
        opts,
      );
      const ambiguous = await runTool(
        sandbox,
        { tool: 'Edit', input: { file_path: 'e.txt', old_string: 'x', new_string: 'z' } },
        opts,
      );
      expect(ambiguous.ok).toBe(false);
      expect(ambiguous.error).toContain('2 times');
      const missing = await runTool(
        sandbox,
        { tool: 'Edit', input: { file_path: 'e.txt', old_string: 'q', new_string: 'z' } },
        opts,
      );
      expect(missing.error).toContain('not found');
      const unique = await runTool(
        sandbox,
        { tool: 'Edit', input: { file_path: 'e.txt', old_string: 'y', new_string: 'w' } },
        opts,
      );
      expect(unique.ok).toBe(true);
      const all = await runTool(
        sandbox,
        {
          tool: 'Edit',
          input: { file_path: 'e.txt', old_string: 'x', new_string: 'z', replace_all: true },
        },
        opts,
      );
      expect(all.ok).toBe(true);
      expect((await sandbox.readFile('e.txt')).toString()).toBe('z w z');
    });

    it('globs and greps in the workspace', async () => {
      const glob = await runTool(sandbox, { tool: 'Glob', input: { pattern: '**/*.py' } }, opts);
      expect(glob.output.split('\n').sort()).toEqual([
        '/workspace/repo/calc.py',
        '/workspace/repo/test_calc.py',
      ]);
      const files = await runTool(
        sandbox,
        { tool: 'Grep', input: { pattern: 'ADD\\(', '-i': true, glob: '*.py' } },
        opts,
      );
      expect(files.output.split('\n').sort()).toEqual(['./repo/calc.py', './repo/test_calc.py']);
      const content = await runTool(
        sandbox,
        { tool: 'Grep', input: { pattern: 'return', path: 'repo', output_mode: 'content' } },
        opts,
      );
      expect(content.output).toBe('repo/calc.py:2:    return a + b');
      const none = await runTool(
        sandbox,
        { tool: 'Grep', input: { pattern: 'nothing-here' } },
        opts,
      );
      expect(none.output).toBe('No matches found');
    });

    it("caps Bash timeouts at the template's", async () => {
      const short = await driver.create({
        id: `sbx_toolsshort${driver.name}`,
        template: { ...DEFAULT_TEMPLATE, commandTimeoutMs: 1000 },
        stateDir: join(dir, 'short'),
      });
      try {
        const input = { command: 'sleep 5; echo done', timeout: 600_000 };
        const result = await runTool(short, { tool: 'Bash', input }, opts);
        expect(result.ok).toBe(false);
        expect(result.error).toBe('Command timed out');
        expect(result.output).not.toContain('done');
      } finally {
        await short.destroy();
      }
    });

    it('reports a missing file as a failed Read', async () => {
      const result = await runTool(
        sandbox,
        { tool: 'Read', input: { file_path: 'nope.txt' } },
        opts,
      );
      expect(result.ok).toBe(false);
      expect(result.error).toContain('not found');
    });
  });
}
