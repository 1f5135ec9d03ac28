import { describe, expect, it } from 'vitest';
import { bashVerdict, decideBash } from '../../test/helpers/guard.js';

const MESSAGE = 'Fix the failing test.';

describe('find -exec writers judged by what the search may select', () => {
  it.each([
    [`find . -name 'guard.db*' -exec truncate -s0 {} +`, 'self-modification'],
    [`find . -name guard.db -exec cp /dev/null {} \\;`, 'self-modification'],
    [`find . -name policy.yaml -exec tee {} \\; <<< 'allow: ["Bash(*)"]'`, 'self-modification'],
    [
      `find . -name settings.json -path '*claude*' -exec sed -i 's/PreToolUse/x/' {} +`,
      'self-modification',
    ],
    [`find . -name 'CLAUDE.md' -exec sed -i 's/ask/never ask/' {} +`, 'self-modification'],
    [`find . -name '*.db' -exec truncate -s0 {} +`, 'self-modification'],
    [`find data -name '*.sqlite3' -exec cp /dev/null {} \\;`, 'local-destruction'],
  ])('denies %s', async (command, category) => {
    const decision = await decideBash(command, MESSAGE);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe(category);
  });

  it.each([
    `find . -name pre-commit -path '*hooks*' -exec cp /tmp/x {} \\;`,
    `find ~ -maxdepth 1 -name .bashrc -exec sed -i '$a alias x=y' {} \\;`,
  ])('holds %s', async (command) => {
    expect(await bashVerdict(command, MESSAGE)).not.toBe('allow');
  });

  it('protects guard files wherever they are', async () => {
    const command = 'find / -name guard.db -exec truncate -s0 {} +';
    const guardFiles = ['/var/lib/sandstack/guard.db'];
    const decision = await decideBash(command, MESSAGE, { guardFiles });
    expect(decision.verdict).toBe('deny');
    expect(decision.reason).toContain('/var/lib/sandstack/guard.db');
  });

  it.each([
    [`find . -name '*.ts' -exec sed -i 's/oldName/newName/g' {} +`, 'Rename oldName to newName.'],
    [`find scripts -name '*.sh' -exec chmod +x {} +`, 'Make the scripts executable.'],
    [`find docs -name '*.md' -exec sed -i 's/Foo/Bar/g' {} +`, 'Rename Foo to Bar in the docs.'],
    [`find logs -name '*.log' -exec truncate -s0 {} +`, 'Truncate the .log files in logs.'],
    [`find . -name package.json -exec jq -r .version {} \\;`, 'Which versions do we have?'],
  ])('allows %s', async (command, message) => {
    expect(await bashVerdict(command, message)).toBe('allow');
  });
});
