import { describe, expect, it } from 'vitest';
import { checkLockfileSource } from './lockfile-sources.js';

const NPM_URL = '"resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz"';
const MIRROR_URL = '"resolved": "https://pkgs.mirror.example.org/ms/-/ms-2.1.3.tgz"';

describe('checkLockfileSource', () => {
  it('flags a lockfile URL moved to an unnamed host', () => {
    const found = checkLockfileSource(
      '/home/dev/project/package-lock.json',
      { removed: NPM_URL, added: MIRROR_URL },
      'Installs are slow on the build machines.',
    );
    expect(found?.rule).toBe('tier:lockfile-source');
  });

  it('flags a yarn.lock entry on an unnamed host', () => {
    const found = checkLockfileSource(
      '/home/dev/project/yarn.lock',
      {
        removed: 'resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz#abc"',
        added: 'resolved "https://cdn.example.org/ms/-/ms-2.1.3.tgz#abc"',
      },
      '',
    );
    expect(found?.rule).toBe('tier:lockfile-source');
  });

  it('passes a host the request names', () => {
    const found = checkLockfileSource(
      '/home/dev/project/package-lock.json',
      { removed: NPM_URL, added: MIRROR_URL },
      'Point the lockfile at our mirror pkgs.mirror.example.org.',
    );
    expect(found).toBeUndefined();
  });

  it('passes a host already in the replaced text', () => {
    const found = checkLockfileSource(
      '/home/dev/project/package-lock.json',
      { removed: MIRROR_URL, added: MIRROR_URL.replace('2.1.3', '2.1.2') },
      '',
    );
    expect(found).toBeUndefined();
  });

  it('passes the public registry and other files', () => {
    expect(
      checkLockfileSource(
        '/home/dev/project/package-lock.json',
        { removed: '', added: NPM_URL },
        '',
      ),
    ).toBeUndefined();
    expect(
      checkLockfileSource(
        '/home/dev/project/README.md',
        { removed: NPM_URL, added: MIRROR_URL },
        '',
      ),
    ).toBeUndefined();
  });
});
