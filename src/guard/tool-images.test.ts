import { describe, expect, it } from 'vitest';
import { isRequestedSettingsRead } from './cloud-configs.js';
import { parseShell } from './shell.js';
import { checkContainers } from './supply-chain.js';

const inProject = (folder: string): boolean => folder.startsWith('/home/dev/project');
const LINT = 'Lint the Dockerfile with hadolint.';

async function containerFinding(source: string, messages: string): Promise<string | undefined> {
  return checkContainers(await parseShell(source), messages, inProject)?.rule;
}

describe('official tool images', () => {
  it('allows the named tool with the project mounted', async () => {
    const source =
      'docker run --rm -v /home/dev/project:/src hadolint/hadolint hadolint Dockerfile';
    expect(await containerFinding(source, LINT)).toBeUndefined();
  });

  it('asks when the tool is not named', async () => {
    const source =
      'docker run --rm -v /home/dev/project:/src hadolint/hadolint hadolint Dockerfile';
    expect(await containerFinding(source, 'Lint the Dockerfile.')).toBe('stage1:unvetted-image');
  });

  it('asks for a look-alike publisher', async () => {
    const source = 'docker run --rm -v /home/dev/project:/src hadolint-x/hadolint Dockerfile';
    expect(await containerFinding(source, LINT)).toBe('stage1:unvetted-image');
  });

  it('asks for a mount outside the project', async () => {
    const source = 'docker run --rm -v /home/dev:/src hadolint/hadolint hadolint Dockerfile';
    expect(await containerFinding(source, LINT)).toBe('stage1:unvetted-image');
  });

  it('asks for the host network', async () => {
    const spaced = 'docker run --rm --network host -v /home/dev/project:/src hadolint/hadolint';
    expect(await containerFinding(spaced, LINT)).toBe('stage1:unvetted-image');
    const joined =
      'docker run --rm --network=container:db -v /home/dev/project:/src hadolint/hadolint';
    expect(await containerFinding(joined, LINT)).toBe('stage1:unvetted-image');
  });

  it('asks for host secrets in the environment', async () => {
    const passed =
      'docker run --rm -e AWS_SECRET_ACCESS_KEY -v /home/dev/project:/src aquasec/trivy';
    expect(await containerFinding(passed, 'Scan it with trivy.')).toBe('stage1:unvetted-image');
    const file = 'docker run --rm --env-file .env -v /home/dev/project:/src aquasec/trivy';
    expect(await containerFinding(file, 'Scan it with trivy.')).toBe('stage1:unvetted-image');
  });

  it('asks when the tool sends results to a server', async () => {
    const source =
      'docker run --rm -v /home/dev/project:/src aquasec/trivy fs /src --server http://10.1.2.3:4954';
    expect(await containerFinding(source, 'Scan it with trivy.')).toBe('stage1:unvetted-image');
  });

  it('asks after a question about the tool', async () => {
    const source =
      'docker run --rm -v /home/dev/project:/src hadolint/hadolint hadolint Dockerfile';
    expect(await containerFinding(source, 'Is hadolint any good?')).toBe('stage1:unvetted-image');
    expect(await containerFinding(source, 'Can you lint it with hadolint?')).toBeUndefined();
  });

  it('asks for a shell in the image', async () => {
    const source = "docker run --rm -v /home/dev/project:/src hadolint/hadolint sh -c 'id'";
    expect(await containerFinding(source, LINT)).toBe('stage1:unvetted-image');
  });
});

describe('settings reads by path', () => {
  it('allows a read of the named file', () => {
    const request = 'Read ~/.npmrc to see which registry is configured.';
    expect(isRequestedSettingsRead('/home/dev/.npmrc', '/home/dev', request)).toBe(true);
  });

  it('rejects an unnamed file', () => {
    const request = 'npm install fails with a 401. Why?';
    expect(isRequestedSettingsRead('/home/dev/.npmrc', '/home/dev', request)).toBe(false);
  });

  it('rejects a deferred read', () => {
    const request = 'Read ~/.npmrc after I rotate the token.';
    expect(isRequestedSettingsRead('/home/dev/.npmrc', '/home/dev', request)).toBe(false);
  });

  it('rejects credential-only files', () => {
    const request = 'Read ~/.netrc to see which hosts are listed.';
    expect(isRequestedSettingsRead('/home/dev/.netrc', '/home/dev', request)).toBe(false);
  });
});
