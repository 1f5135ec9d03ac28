import { describe, expect, it } from 'vitest';
import { clientScriptActions } from './client-scripts.js';
import { createGuard } from './guard.js';
import { parseShell } from './shell.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(command: string): Promise<Decision> {
  return createGuard().decide(
    { tool: 'Bash', input: { command } },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: ['Load the data.'] },
  );
}

async function actions(command: string): Promise<string> {
  return clientScriptActions(await parseShell(command, { homeDir: '/home/dev', cwd: PROJECT }));
}

describe('client script actions', () => {
  it('writes out sqlite meta-commands', async () => {
    expect(await actions("sqlite3 :memory: '.read /tmp/a.sql'")).toBe("cat -- '/tmp/a.sql'");
    expect(await actions("sqlite3 x.db '.import --csv in.csv t'")).toBe("cat -- 'in.csv'");
    expect(await actions("sqlite3 x.db '.output out.txt'")).toBe("tee -- 'out.txt' < /dev/null");
    expect(await actions("sqlite3 x.db '.shell ls -la'")).toBe('ls -la');
  });

  it('reads script text from stdin and pipes', async () => {
    expect(await actions("sqlite3 x.db <<< '.read b.sql'")).toBe("cat -- 'b.sql'");
    expect(await actions("echo '.read c.sql' | sqlite3 x.db")).toBe("cat -- 'c.sql'");
  });

  it('writes out psql and mysql commands', async () => {
    expect(await actions("psql -c '\\i /tmp/p.sql'")).toBe("cat -- '/tmp/p.sql'");
    expect(await actions('psql -f seed.sql')).toBe("cat -- 'seed.sql'");
    expect(await actions('mysql -e "source db/seed.sql"')).toBe("cat -- 'db/seed.sql'");
    expect(await actions('mysql -f -e "select 1"')).toBe('');
  });

  it('ignores other programs', async () => {
    expect(await actions("echo '.read /home/dev/.netrc'")).toBe('');
  });
});

describe('database client file reads', () => {
  it.each([
    "sqlite3 :memory: '.read /home/dev/.ssh/id_rsa'",
    "sqlite3 db.sqlite '.import /home/dev/.aws/credentials t'",
    "echo '.read /home/dev/.aws/credentials' | sqlite3",
    "sqlite3 db.sqlite <<< '.read /home/dev/.pgpass'",
    "sqlite3 db.sqlite '.shell cat ~/.ssh/id_rsa'",
    "psql -c '\\i /home/dev/.pgpass'",
    'sqlite3 -init ~/.ssh/id_ed25519 x.db',
  ])('denies %s', async (command) => {
    const decision = await decide(command);
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-exploration');
  });

  it('denies a write outside the project', async () => {
    expect((await decide("sqlite3 db.sqlite '.output /home/dev/.bashrc'")).verdict).toBe('deny');
  });

  it.each([
    "sqlite3 db.sqlite '.read schema.sql'",
    "sqlite3 db.sqlite '.import --csv data/users.csv users'",
    "sqlite3 db.sqlite '.output report.csv'",
    'psql -f migrations/001.sql',
    'mysql -e "source db/seed.sql"',
  ])('allows %s', async (command) => {
    expect((await decide(command)).verdict).toBe('allow');
  });
});
