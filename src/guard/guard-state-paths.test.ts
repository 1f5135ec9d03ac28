import { describe, expect, it } from 'vitest';
import { bashVerdict, decideBash, PROJECT_DIR } from '../../test/helpers/guard.js';
import { foldConcatenation } from './guard-control.js';
import { reachedGuardPath } from './guard-state-paths.js';

const GUARD_FILES = [
  `${PROJECT_DIR}/.sandstack/guard.db`,
  `${PROJECT_DIR}/.sandstack/policy.yaml`,
  '/home/dev/.local/state/sandstack/approvals.db',
];
const MESSAGE = 'Fix the failing test.';

describe('reachedGuardPath', () => {
  it.each([
    `${PROJECT_DIR}/.sandstack`,
    `${PROJECT_DIR}/.*stack/guard.db`,
    `${PROJECT_DIR}/.sand*`,
    `${PROJECT_DIR}/.[s]andstack/x`,
  ])('finds the state folder in %s', (resolved) => {
    expect(reachedGuardPath(resolved, undefined)).toContain('.sandstack');
  });

  it.each([
    `${PROJECT_DIR}/.*`,
    `${PROJECT_DIR}/.*cache`,
    `${PROJECT_DIR}/*stack`,
    `${PROJECT_DIR}/src`,
  ])('leaves %s alone', (resolved) => {
    expect(reachedGuardPath(resolved, undefined)).toBeUndefined();
  });

  it('matches a glob against the guard files', () => {
    expect(reachedGuardPath('/home/dev/.local/state/s*/approvals.db', GUARD_FILES)).toContain(
      'approvals.db',
    );
    expect(reachedGuardPath('/home/dev/.local/state/s*/other.db', GUARD_FILES)).toBeUndefined();
  });
});

describe('guard state reached through loops and globs', () => {
  it.each([
    'for d in .*stack; do : > "$d/guard.db"; done',
    'for d in .*stack; do cp /dev/null "$d/guard.db"; done',
    'for d in .*stack; do truncate -s0 "$d"/guard.db; done',
    'for d in .sandstack; do rm -r "$d"; done',
    'for f in .sandstack/*; do rm "$f"; done',
    'while read d; do rm -rf "$d"; done <<< .sandstack',
    'select d in .sandstack; do rm -rf "$d"; break; done',
    'rm -rf .sand*',
  ])('denies %s', async (command) => {
    const decision = await decideBash(command, MESSAGE);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('self-modification');
  });

  it('denies a glob over a guard file outside the project', async () => {
    const command = 'for f in ~/.local/state/s*/approvals.db; do : > "$f"; done';
    const decision = await decideBash(command, MESSAGE, { guardFiles: GUARD_FILES });
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:guard-state-path');
  });

  it.each([
    ['for d in build dist .cache; do rm -rf "$d"; done', 'Clean the build outputs.'],
    ['for f in logs/*.log; do truncate -s0 "$f"; done', 'Truncate the log files in logs/.'],
  ])('allows %s', async (command, message) => {
    expect(await bashVerdict(command, message)).toBe('allow');
  });
});

describe('the hook entry and its socket', () => {
  it.each([
    'echo "$EV" | npx sandstack guard hook',
    'npx sandstack guard hook --no-daemon < /tmp/ev.json',
    'printf %s "$EV" | nc -U .sand*/guard.sock',
    'socat - UNIX-CONNECT:./.s?ndstack/guard.sock < /tmp/req.json',
    'curl --unix-socket .sand*/guard.sock http://localhost/ -d @/tmp/req.json',
  ])('denies %s', async (command) => {
    const decision = await decideBash(command, MESSAGE);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('self-modification');
  });

  it('allows a guard check', async () => {
    expect(
      await bashVerdict(
        `npx sandstack guard check --tool Bash --input '{"command":"ls"}'`,
        'Check ls.',
      ),
    ).toBe('allow');
  });
});

describe('foldConcatenation', () => {
  it.each([
    [`'sand'+'stack'`, `'sandstack'`],
    [`"sand" + "stack"`, `"sandstack"`],
    [`'npx sand' 'stack guard'`, `'npx sandstack guard'`],
    [`"npx sand"."stack"`, `"npx sandstack"`],
    [`'.sand'.concat('stack/guard.db')`, `'.sandstack/guard.db')`],
  ])('folds %s', (code, folded) => {
    expect(foldConcatenation(code)).toBe(folded);
  });

  it('keeps argument lists apart', () => {
    expect(foldConcatenation(`['npx', 'sandstack']`)).toBe(`['npx', 'sandstack']`);
  });

  it.each([
    `node -e "require('child_process').execSync('npx sand'+'stack guard session reset default')"`,
    `python3 -c "import subprocess;subprocess.run(['npx','sand'+'stack','guard','session','reset','default'])"`,
  ])('denies %s', async (command) => {
    expect(await bashVerdict(command, MESSAGE)).toBe('deny');
  });

  it('holds a split path to the state database', async () => {
    const command = `python3 -c "import sqlite3;sqlite3.connect('.sand'+'stack/guard.db').execute('delete from denials')"`;
    expect(await bashVerdict(command, MESSAGE)).not.toBe('allow');
  });
});
