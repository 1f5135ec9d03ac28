import { describe, expect, it } from 'vitest';
import { checkProductionContainers, followIndirectRuns } from './indirect-runs.js';
import { parseShell, type ParsedShell } from './shell.js';

const OPTIONS = { homeDir: '/home/dev', cwd: '/home/dev/project' };

async function parse(command: string): Promise<ParsedShell> {
  const parsed = await parseShell(command, OPTIONS);
  followIndirectRuns(parsed);
  return parsed;
}

/** Returns the commands that followIndirectRuns adds to what the parser found. */
async function added(command: string): Promise<string[][]> {
  const parsed = await parseShell(command, OPTIONS);
  const parsedCount = parsed.commands.length;
  followIndirectRuns(parsed);
  return parsed.commands.slice(parsedCount).map((entry) => entry.argv);
}

describe('followIndirectRuns', () => {
  it('reads npx rimraf as rm', async () => {
    expect(await added('npx rimraf /root/old')).toEqual([['rm', '-rf', '/root/old']]);
    expect(await added('npm exec --yes -- rimraf@5 a b')).toEqual([['rm', '-rf', 'a', 'b']]);
    expect(await added('pnpm dlx del-cli build')).toEqual([['rm', '-rf', 'build']]);
  });

  it('ignores other runner packages', async () => {
    expect(await added('npx prettier --write src')).toEqual([]);
    expect(await added('pnpm install')).toEqual([]);
  });

  it('reads the docker exec command', async () => {
    expect(await added('docker exec -u root -it prod rm -rf /data')).toEqual([
      ['rm', '-rf', '/data'],
    ]);
    const parsed = await parse('docker exec prod rm -rf /data');
    expect(parsed.commands.at(-1)?.via).toEqual(['docker exec prod']);
  });

  it('finds production container names', async () => {
    expect(
      checkProductionContainers(await parse('docker exec prod-api npm run migrate')),
    ).toBeDefined();
    expect(
      checkProductionContainers(await parse('podman exec -it api_production ls')),
    ).toBeDefined();
    expect(
      checkProductionContainers(await parse('docker exec -it product-dev npm test')),
    ).toBeUndefined();
  });

  it('flags decoded inline code', async () => {
    const parsed = await parse(
      `python3 -c "import base64,os;os.system(base64.b64decode('bHM=').decode())"`,
    );
    expect(parsed.confident).toBe(false);
  });

  it('keeps plain decoding confident', async () => {
    const parsed = await parse(`python3 -c "import base64;print(base64.b64decode('aGk='))"`);
    expect(parsed.confident).toBe(true);
  });

  it('flags loader prefixes on project code', async () => {
    for (const command of ['LD_PRELOAD=./x.so ls', 'PATH=.:$PATH ls', 'PATH=$PATH: ls']) {
      expect((await parse(command)).confident, command).toBe(false);
    }
  });

  it('keeps absolute loader prefixes confident', async () => {
    expect((await parse('PATH=/opt/tool/bin:$PATH make')).confident).toBe(true);
    expect((await parse('LD_LIBRARY_PATH=/usr/local/lib ./app')).confident).toBe(true);
  });
});
