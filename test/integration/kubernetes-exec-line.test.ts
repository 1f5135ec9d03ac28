import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { isSandstackError } from '../../src/core/errors.js';
import { MAX_SCRIPT_BYTES, buildExecLine } from '../../src/sandbox/kubernetes/exec-script.js';
import { shlexSplit } from '../fakes/kubernetes/index.js';

const python = spawnSync('python3', ['-c', 'import shlex'], { encoding: 'utf8' });

/** Splits with Python's own shlex, which the upstream runtime's /execute uses. */
function pythonShlexSplit(line: string): string[] {
  const result = spawnSync(
    'python3',
    ['-c', 'import json, shlex, sys; print(json.dumps(shlex.split(sys.stdin.read())))'],
    { input: line, encoding: 'utf8' },
  );
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as string[];
}

const CASES: {
  name: string;
  command: string;
  stdin?: string;
  env?: Record<string, string>;
  stdout: string;
}[] = [
  { name: 'single quotes', command: "echo 'it'\\''s'", stdout: "it's\n" },
  { name: 'double quotes and dollar', command: 'X=1; echo "$X \\$HOME"', stdout: '1 $HOME\n' },
  { name: 'backslashes and tabs', command: "printf 'a\\\\b\\tc\\n'", stdout: 'a\\b\tc\n' },
  { name: 'newline in command', command: 'echo one\necho two', stdout: 'one\ntwo\n' },
  {
    name: 'stdin with quotes',
    command: 'cat',
    stdin: `"quoted" 'single' \\ $(not run)\n`,
    stdout: `"quoted" 'single' \\ $(not run)\n`,
  },
  {
    name: 'env with spaces and quotes',
    command: 'echo "$V"',
    env: { V: `a 'b' "c"` },
    stdout: `a 'b' "c"\n`,
  },
  { name: 'unicode', command: 'echo héllo ✓', stdout: 'héllo ✓\n' },
];

describe('exec line for the runtime /execute endpoint', () => {
  it.skipIf(python.status !== 0).each(CASES)('splits like Python shlex: $name', (testCase) => {
    const line = buildExecLine({
      command: testCase.command,
      env: testCase.env ?? {},
      ...(testCase.stdin === undefined ? {} : { stdin: testCase.stdin }),
      timeoutMs: 10_000,
    });

    const args = pythonShlexSplit(line);
    expect(shlexSplit(line)).toEqual(args);
    const [file = '', ...rest] = args;
    const run = spawnSync(file, rest, { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(testCase.stdout);
  });

  it('rejects a script over the argument limit', () => {
    let error: unknown;
    try {
      buildExecLine({
        command: 'cat',
        env: {},
        stdin: 'x'.repeat(MAX_SCRIPT_BYTES),
        timeoutMs: 1000,
      });
    } catch (caught) {
      error = caught;
    }

    expect(isSandstackError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('writeFile');
  });

  it('rejects an invalid environment variable name', () => {
    let error: unknown;
    try {
      buildExecLine({ command: 'true', env: { 'BAD-NAME': 'x' }, timeoutMs: 1000 });
    } catch (caught) {
      error = caught;
    }

    expect(isSandstackError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"BAD-NAME"');
  });
});
