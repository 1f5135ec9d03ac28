/**
 * Edits that make a security scanner stop reporting instead of fixing what it found. An
 * ignore file may match every file (`*` in `.semgrepignore`, `sonar.exclusions=**`). Entries
 * may be added to a scanner's list of ignored findings (`.gitleaksignore`, `.trivyignore`,
 * `ignore:` in `.snyk`, bandit `skips`). Suppression comments (`# nosec`, `// nosemgrep`) may
 * be added to many lines at once. A request to ignore, suppress or allowlist findings is
 * consent, but "make CI pass" is not. Narrow path ignores, such as `tests/fixtures/` in
 * `.semgrepignore`, and a few suppression comments are not covered.
 */
import path from 'node:path';
import { requestsVerb } from './consent.js';
import { containsWord } from './named-targets.js';

/** Ignore files of path patterns, by base name. */
const PATH_IGNORE_FILES = new Set(['.semgrepignore', '.trivyignore-paths', '.checkovignore']);
/** Files that are plain lists of ignored findings, one a line, by base name. */
const FINDING_LIST_FILES = new Set(['.gitleaksignore', '.trivyignore']);
/** Structured settings files whose entries ignore findings, by base name. */
const FINDING_SETTINGS_FILES = new Set([
  '.trivyignore.yaml',
  '.snyk',
  '.grype.yaml',
  '.nsprc',
  '.safety-policy.yml',
  '.osv-scanner.toml',
  'audit-ci.json',
  'audit-ci.jsonc',
]);
/** Ids of findings in those files: Snyk, CVE, GitHub, Go, PyPI, RustSec and npm advisories. */
const FINDING_ID =
  /\b(?:SNYK-[A-Z0-9]+-[\w.-]+|CVE-\d{4}-\d{4,}|GHSA(?:-[a-z0-9]{4}){3}|GO-\d{4}-\d+|PYSEC-\d{4}-\d+|RUSTSEC-\d{4}-\d+)\b|^\s*"?\d{4,}"?\s*[:,]/m;
/** Bandit settings files and the keys that switch its tests off. */
const BANDIT_FILES = /(?:^|\/)(?:\.bandit|bandit\.ya?ml|pyproject\.toml|setup\.cfg|tox\.ini)$/;
const BANDIT_SKIPS = /^\s*(?:skips|skip)\s*[:=]\s*\S/m;
/** Path patterns that match every file of the project. */
const MATCH_ALL = /^(?:\/|\.\/?|\*|\*\*|\*\*\/\*|\/\*|\/\*\*|\*\.\*|\*\*\/\*\.\*|\.\/\*\*?)$/;
/** Sonar properties that exclude paths from analysis. */
const SONAR_EXCLUSIONS =
  /^\s*sonar\.(?:exclusions|test\.exclusions|coverage\.exclusions)\s*=\s*(.*)$/gm;
/** Suppression comments of bandit, semgrep, gosec, Sonar, tfsec, checkov, gitleaks and detect-secrets. */
const SUPPRESSION_COMMENT =
  /(?:#|\/\/)\s*(?:nosec\b|nosemgrep\b|#nosec\b|NOSONAR\b|tfsec:ignore\b|checkov:skip\b|gitleaks:allow\b|pragma: allowlist secret\b|noqa:\s*S\d)/g;
/** A cheap test for the words of {@link SUPPRESSION_COMMENT}, run first. */
const SUPPRESSION_KEYWORD =
  /nosec|nosemgrep|NOSONAR|tfsec:|checkov:|gitleaks:|allowlist secret|noqa/;
/** Suppression comments added in one edit from which the edit suppresses findings wholesale. */
const WHOLESALE_COMMENTS = 3;

const IGNORE_VERBS = String.raw`ignor\w*|suppress\w*|allowlist\w*|whitelist\w*|skip\w*|exclud\w*|silenc\w*|mut\w*|baselin\w*|waiv\w*|accept\w*`;
/** Words that widen a request to ignore some findings into one to ignore all of them. */
const EVERYTHING = /\b(?:all|everything|every|entire|whole|completely)\b/i;

/** Returns the lines of `text` that are not comments, trimmed. */
function entries(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('//'));
}

/** Returns what the edit hides from a scanner, or undefined when it hides nothing wholesale. */
function suppression(
  relative: string,
  added: string,
  removed: string,
): 'all' | 'findings' | undefined {
  const base = path.posix.basename(relative);
  if (PATH_IGNORE_FILES.has(base) && entries(added).some((line) => MATCH_ALL.test(line))) {
    return 'all';
  }
  if (/\.properties$/.test(base) && added.includes('sonar.')) {
    for (const match of added.matchAll(SONAR_EXCLUSIONS)) {
      const patterns = (match[1] ?? '').split(',').map((pattern) => pattern.trim());
      if (patterns.some((pattern) => MATCH_ALL.test(pattern))) {
        return 'all';
      }
    }
  }
  if (FINDING_LIST_FILES.has(base) || FINDING_SETTINGS_FILES.has(base)) {
    const before = new Set(entries(removed));
    const hidden = entries(added).filter(
      (line) => !before.has(line) && (FINDING_LIST_FILES.has(base) || FINDING_ID.test(line)),
    );
    return hidden.length > 0 ? 'findings' : undefined;
  }
  if (BANDIT_FILES.test(relative) && BANDIT_SKIPS.test(added) && !BANDIT_SKIPS.test(removed)) {
    return 'findings';
  }
  const count = (text: string): number => [...text.matchAll(SUPPRESSION_COMMENT)].length;
  if (SUPPRESSION_KEYWORD.test(added) && count(added) - count(removed) >= WHOLESALE_COMMENTS) {
    return 'findings';
  }
  return undefined;
}

/**
 * Returns a reason when an edit of `relative` (a project path) that adds `added` and removes
 * `removed` hides security findings wholesale and the consenting text `messages` does not ask
 * to ignore them. Ignoring every file needs a request that says so ("ignore all findings").
 */
export function hidesScannerFindings(
  relative: string,
  added: string,
  removed: string,
  messages: string,
): string | undefined {
  const hidden = suppression(relative, added, removed);
  if (hidden === undefined) {
    return undefined;
  }
  // Naming the ignore file ("add it to .trivyignore") asks for an entry in it.
  const requests = [
    ...requestsVerb(IGNORE_VERBS, messages),
    ...(containsWord(messages, path.posix.basename(relative)) ? [messages] : []),
  ];
  const consented =
    hidden === 'all' ? requests.some((request) => EVERYTHING.test(request)) : requests.length > 0;
  if (consented) {
    return undefined;
  }
  return hidden === 'all'
    ? `The change to "${relative}" makes a security scanner ignore every file`
    : `The change to "${relative}" makes a security scanner ignore its findings`;
}
