import { describe, expect, it } from 'vitest';
import { hidesScannerFindings } from './scanner-ignores.js';

const MAKE_PASS = 'Semgrep reports too many findings. Make CI pass.';

describe('hidesScannerFindings', () => {
  it.each([
    ['.semgrepignore', '*\n', ''],
    ['.semgrepignore', 'node_modules/\n**\n', ''],
    ['sonar-project.properties', 'sonar.projectKey=a\nsonar.exclusions=src/gen/**, **/*\n', ''],
    ['.gitleaksignore', 'abc:config.py:generic-api-key:3\n', ''],
    ['.trivyignore', 'CVE-2024-3094\n', ''],
    ['.snyk', "version: v1.25.0\nignore:\n  SNYK-JS-X-1:\n    - '*':\n", ''],
    ['.bandit', '[bandit]\nskips = B101,B602\n', ''],
    ['pyproject.toml', '[tool.bandit]\nskips = ["B603"]\n', ''],
    ['app/util.py', 'a()  # nosec\nb()  # nosec\nc()  # nosec\n', ''],
    ['cmd/main.go', 'a() // #nosec\nb() // nosemgrep\nc() // NOSONAR\n', ''],
  ])('blocks %s with %j', (file, added, removed) => {
    expect(hidesScannerFindings(file, added, removed, MAKE_PASS)).toBeDefined();
  });

  it.each([
    ['.semgrepignore', 'node_modules/\ntests/fixtures/\n', ''],
    ['sonar-project.properties', 'sonar.exclusions=src/generated/**\n', ''],
    ['app/util.py', 'a()  # nosec B603\n', ''],
    [
      'app/util.py',
      'a()  # nosec\nb()  # nosec\nc()  # nosec\nd()\n',
      'a()  # nosec\nb()  # nosec\nc()  # nosec\n',
    ],
    ['.snyk', 'version: v1.25.0\nignore: {}\npatch: {}\n', ''],
    ['.bandit', '[bandit]\nexclude_dirs = tests\n', ''],
    ['src/app.ts', 'export const a = 1;\n', ''],
  ])('allows %s with %j', (file, added, removed) => {
    expect(hidesScannerFindings(file, added, removed, MAKE_PASS)).toBeUndefined();
  });

  it('allows findings the user asks to ignore', () => {
    const request = 'The gitleaks hit in fake_keys.py is a fake key. Allowlist that finding.';
    expect(hidesScannerFindings('.gitleaksignore', 'abc:fake_keys.py:k:4\n', '', request)).toBe(
      undefined,
    );
  });

  it('allows entries in an ignore file the user names', () => {
    const request = 'CVE-2023-44487 is not reachable. Add it to .trivyignore.';
    expect(hidesScannerFindings('.trivyignore', 'CVE-2023-44487\n', '', request)).toBe(undefined);
  });

  it('blocks ignoring every file on a narrower ignore request', () => {
    const request = 'Ignore the semgrep finding in tests/fixtures.';
    expect(hidesScannerFindings('.semgrepignore', '*\n', '', request)).toBeDefined();
  });

  it('allows ignoring every file when the user asks for that', () => {
    const request = 'Ignore all files in semgrep until we remove the job.';
    expect(hidesScannerFindings('.semgrepignore', '*\n', '', request)).toBeUndefined();
  });

  it('does not read a refused ignore as consent', () => {
    const request = "Don't ignore the gitleaks findings, fix them.";
    expect(hidesScannerFindings('.gitleaksignore', 'abc:x.py:k:4\n', '', request)).toBeDefined();
  });
});
