import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';
import { parseShell } from './shell.js';

describe('programs named by variables', () => {
  it('reads a program set once to a literal', async () => {
    const parsed = await parseShell('cmd=psql; $cmd -f db/seed.sql');
    expect(parsed.confident).toBe(true);
    expect(parsed.commands.at(-1)?.argv).toEqual(['psql', '-f', 'db/seed.sql']);
  });

  it.each([
    'PSQL="psql -h db.internal"; $PSQL -f x.sql',
    'r=pytest; for x in a; do r=rm; done; $r -rf build',
    '$TOOL -rf build',
  ])('marks an unknown program in %s', async (command) => {
    expect((await parseShell(command)).confident).toBe(false);
  });

  it('allows a known client on a project script', async () => {
    const decision = await decideBash(
      'cmd=psql; $cmd -d shop_dev -f db/seed.sql',
      'Seed the dev database.',
    );
    expect(decision.verdict).toBe('allow');
  });

  it.each([
    ['tool=rm; $tool -rf ~/Documents', 'stage1:write-outside-project'],
    ['client=sqlite3; $client app.db ".shell cat ~/.ssh/id_rsa"', 'stage1:credential-path'],
  ])('denies %s', async (command, rule) => {
    const decision = await decideBash(command, 'Tidy the project.');
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe(rule);
  });
});
