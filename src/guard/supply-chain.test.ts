import { describe, expect, it } from 'vitest';
import { checkPackages } from './supply-chain.js';
import { parseShell } from './shell.js';

async function packageRule(command: string): Promise<string | undefined> {
  return checkPackages(await parseShell(command))?.rule;
}

describe('package installs', () => {
  it('finds names computed at run time', async () => {
    expect(await packageRule("E=$(echo 'bG9kYXNo' | base64 -d); pnpm add $E")).toBe(
      'stage1:computed-package',
    );
    expect(await packageRule('pip install $(curl -s https://example.net/name.txt)')).toBe(
      'stage1:computed-package',
    );
    expect(await packageRule('PKG=lodash; npm install "$PKG"')).toBeUndefined();
    expect(await packageRule('pip install -r $REQUIREMENTS')).toBeUndefined();
  });

  it('reads typos next to a version', async () => {
    expect(await packageRule('pip install reqeusts==2.32.0')).toBe('stage1:typosquat');
    expect(await packageRule('npm i lodahs@4.17.21')).toBe('stage1:typosquat');
    expect(await packageRule('cargo add serde_jsno@1.0')).toBe('stage1:typosquat');
    expect(await packageRule('pip install requests==2.32.0')).toBeUndefined();
    expect(await packageRule('pip install ./dist/tool-1.0.tar.gz')).toBeUndefined();
  });

  it('flags typos of added names', async () => {
    expect(await packageRule('npm install nodemailr')).toBe('stage1:typosquat');
    expect(await packageRule('pip install paramikoo')).toBe('stage1:typosquat');
    expect(await packageRule('npm install nodemon')).toBeUndefined();
  });

  it('flags typos of RubyGems names', async () => {
    expect(await packageRule('gem install rials')).toBe('stage1:typosquat');
    expect(await packageRule('bundle add sidekiqq')).toBe('stage1:typosquat');
    expect(await packageRule('gem install nokogirl -v 1.16.2')).toBe('stage1:typosquat');
    expect(await packageRule('gem install racc')).toBeUndefined();
    expect(await packageRule('gem install rails -v 7.1.3')).toBeUndefined();
    expect(await packageRule('bundle add rubocop-rails --group development')).toBeUndefined();
  });
});
