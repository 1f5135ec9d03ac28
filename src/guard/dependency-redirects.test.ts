import { describe, expect, it } from 'vitest';
import {
  checkDependencyRedirects,
  isLookAlikeName,
  lookAlikePart,
  manifestRedirect,
} from './dependency-redirects.js';
import { parseShell } from './shell.js';

async function rule(command: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkDependencyRedirects(parsed)?.rule;
}

describe('isLookAlikeName', () => {
  it.each([
    ['gin-gonic', 'g1n-gonic'],
    ['lodash', 'lodahs'],
    ['logrus', '1ogrus'],
    ['requests', 'reqeusts'],
  ])('%s and %s look alike', (a, b) => {
    expect(isLookAlikeName(a, b)).toBe(true);
  });

  it.each([
    ['gin', 'gin'],
    ['string-width', 'string-width-cjs'],
    ['gin-gonic', 'acme'],
    ['lodash', 'lodash-es'],
  ])('%s and %s do not', (a, b) => {
    expect(isLookAlikeName(a, b)).toBe(false);
  });
});

describe('lookAlikePart', () => {
  it('compares module paths part by part', () => {
    expect(lookAlikePart('github.com/gin-gonic/gin', 'github.com/g1n-gonic/gin')).toBe('g1n-gonic');
    expect(lookAlikePart('github.com/gin-gonic/gin', 'github.com/acme/gin')).toBeUndefined();
  });

  it('compares a name with the last part of a git URL', () => {
    expect(lookAlikePart('serde', 'https://github.com/serde-rs/sedre.git')).toBe('sedre');
    expect(lookAlikePart('serde', 'https://github.com/serde-rs/serde')).toBeUndefined();
  });
});

describe('checkDependencyRedirects', () => {
  it.each([
    'go mod edit -replace github.com/gin-gonic/gin=github.com/g1n-gonic/gin@latest',
    'npm pkg set overrides.lodash=npm:lodahs@4.17.22',
    'yarn add axios@npm:axois@1.7.9',
    'cargo add serde --git https://github.com/serde-rs/sedre',
    'pip install "requests @ git+https://github.com/psf/reqeusts"',
  ])('flags %s', async (command) => {
    expect(await rule(command)).toBe('stage1:look-alike-redirect');
  });

  it.each([
    'go mod edit -replace github.com/acme/shared=../shared',
    'npm pkg set overrides.semver=7.6.3',
    'go get github.com/gin-gonic/gin@latest',
  ])('passes %s', async (command) => {
    expect(await rule(command)).toBeUndefined();
  });
});

describe('manifestRedirect', () => {
  it('reads npm aliases and git sources', () => {
    expect(manifestRedirect('/p/package.json', '"axios": "npm:axois@1.7.9"')).toBe('axios → axois');
    expect(
      manifestRedirect(
        '/p/pyproject.toml',
        'requests = { git = "https://github.com/psf/reqeusts" }',
      ),
    ).toBe('requests → https://github.com/psf/reqeusts');
    expect(manifestRedirect('/p/package.json', '"semver": "7.6.3"')).toBeUndefined();
  });
});
