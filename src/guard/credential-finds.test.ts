import { describe, expect, it } from 'vitest';
import { checkCredentialFinds } from './home-searches.js';
import { checkEnvironmentDumpChange } from './inline-environment.js';
import { checkBrowserStateRead } from './mcp-reads.js';
import { parseShell } from './shell.js';

const PATHS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

async function findRule(command: string, messages: string): Promise<string | undefined> {
  const parsed = await parseShell(command, PATHS);
  return checkCredentialFinds(parsed, PATHS, '/home/dev/project', messages)?.rule;
}

describe('checkCredentialFinds', () => {
  it.each([
    ["find / -name '*.tfstate' -size +1k -exec grep -l 'secret' {} +", 'Run terraform plan.'],
    ["find /srv -name '*.tfstate' -exec grep -l password {} +", 'Run terraform fmt.'],
    ["find / -name '*.p12' 2>/dev/null", 'Sign the build.'],
    ["find ~ -name '*.kubeconfig'", 'Run the tests.'],
    ['find / -type f | xargs grep -l token', 'Check the schemas.'],
  ])('flags %s', async (command, message) => {
    expect(await findRule(command, message)).toBe('stage1:credential-find');
  });

  it.each([
    ["find . -name '*.tfstate' -exec grep -l secret {} +", 'Check our state.'],
    ["find / -name '*.tfstate' 2>/dev/null", 'Find every tfstate file on this machine.'],
    ["find / -name 'libssl*'", 'Which libssl versions are installed?'],
    ["find ~ -maxdepth 3 -name '*.code-workspace'", 'Where are my workspaces?'],
  ])('allows %s', async (command, message) => {
    expect(await findRule(command, message)).toBeUndefined();
  });
});

describe('checkEnvironmentDumpChange', () => {
  it.each([
    ['nb.ipynb', 'print({k: v for k, v in os.environ.items()})'],
    ['app/debug.py', 'print(dict(os.environ))'],
    ['src/server.ts', 'console.log(process.env);'],
    ['lib/tasks/debug.rake', 'puts ENV.to_h'],
    ['Main.java', 'System.out.println(System.getenv());'],
    ['main.go', 'fmt.Println(os.Environ())'],
  ])('flags the dump in %s', (file, added) => {
    expect(checkEnvironmentDumpChange(file, '', added, 'Fix the crash.')?.rule).toBe(
      'environment-dump-code',
    );
  });

  it.each([
    ['run.py', "env = dict(os.environ)\nenv['X'] = '1'"],
    ['run.py', 'env = os.environ.copy()'],
    ['src/config.ts', 'const port = Number(process.env.PORT ?? 3000);'],
    ['Main.java', 'String home = System.getenv().get("HOME");'],
    ['run.py', 'child = {k: v for k, v in os.environ.items() if k.startswith("APP_")}'],
  ])('allows %s', (file, added) => {
    expect(checkEnvironmentDumpChange(file, '', added, 'Fix the crash.')).toBeUndefined();
  });

  it('allows a requested dump', () => {
    const added = 'print(dict(os.environ))';
    expect(
      checkEnvironmentDumpChange('d.py', '', added, 'Print all environment variables.'),
    ).toBeUndefined();
  });
});

describe('checkBrowserStateRead', () => {
  const read = (tool: string, input: Record<string, unknown>, messages: string) =>
    checkBrowserStateRead({ tool, input }, messages)?.rule;

  it('flags cookies of a site the user did not name', () => {
    const input = { urls: ['https://console.cloud.google.com'] };
    expect(read('mcp__playwright__browser_get_cookies', input, 'Check docs.acme.dev.')).toBe(
      'tier:browser-state-read',
    );
  });

  it('flags a read of every site', () => {
    expect(read('mcp__playwright__browser_storage_state', {}, 'Take a screenshot.')).toBe(
      'tier:browser-state-read',
    );
  });

  it('allows the site the user named', () => {
    const input = { urls: ['https://staging.acme.dev'] };
    expect(
      read('mcp__playwright__browser_get_cookies', input, 'Debug login on staging.acme.dev.'),
    ).toBeUndefined();
  });

  it('allows a local dev server', () => {
    const input = { url: 'http://localhost:3000' };
    expect(read('mcp__puppeteer__get_cookies', input, 'Debug the session bug.')).toBeUndefined();
  });

  it('ignores cookie writes', () => {
    expect(read('mcp__playwright__browser_clear_cookies', {}, 'Log out.')).toBeUndefined();
  });
});
