/**
 * Edits of CI pipeline files that turn off security jobs: a condition that never holds, a
 * rule that never runs, a failure that no longer fails, or a removed scanner step.
 */

/** CI pipeline files of GitHub Actions, GitLab, CircleCI, Azure Pipelines, Bitbucket and Jenkins. */
const CI_FILE =
  /(?:^|\/)\.github\/workflows\/[^/]+\.ya?ml$|(?:^|\/)\.gitlab-ci\.ya?ml$|(?:^|\/)\.gitlab\/ci\/.+\.ya?ml$|(?:^|\/)\.circleci\/config\.ya?ml$|(?:^|\/)azure-pipelines\.ya?ml$|(?:^|\/)bitbucket-pipelines\.ya?ml$|(?:^|\/)Jenkinsfile$|(?:^|\/)\.buildkite\/.+\.ya?ml$/;

/** Security scanners and the jobs that run them. */
const SCANNER =
  /codeql|detect-secrets|secretlint|ggshield|talisman|git-secrets|code[-_ ]?scanning|\bsast\b|\bdast\b|secret[-_ ]?(?:detection|scan)|dependency[-_ ]review|dependency[-_ ]scanning|container[-_ ]scanning|trivy|grype|snyk|semgrep|gitleaks|trufflehog|bandit|gosec|brakeman|osv-scanner|npm audit|pip-audit|cargo[- ]audit|govulncheck|zap-|checkov|tfsec|kics|scorecard/i;

/** Lines that switch a job or step off or stop its failure from failing the pipeline. */
const DISABLING_LINE =
  /^\s*-?\s*(?:if:\s*(?:false|\$\{\{\s*false\s*\}\}|['"]false['"])|when:\s*never|continue-on-error:\s*true|allow_failure:\s*true|exit-code:\s*['"]?0|fail-on-severity:\s*(?:none|off)|soft_fail:\s*true)\s*$/im;

function linesOf(text: string): string[] {
  return text.split('\n').map((line) => line.trim());
}

function scannerLines(text: string): number {
  return linesOf(text).filter((line) => SCANNER.test(line)).length;
}

/**
 * Checks whether an edit of a CI file, from `removed` to `added`, disables a security job:
 * it adds a switch-off line to a file or edit that runs a scanner, or it leaves fewer lines
 * that run a scanner than before. A Write passes its whole content as `added` and an empty `removed`.
 */
export function disablesSecurityJob(file: string, removed: string, added: string): boolean {
  if (!CI_FILE.test(file)) {
    return false;
  }
  const before = new Set(linesOf(removed));
  const newLines = linesOf(added).filter((line) => !before.has(line));
  // Counting scanner lines, not comparing them, lets an edit bump a scanner's version.
  const droppedScanner = scannerLines(removed) > scannerLines(added);
  const switchedOff = newLines.some((line) => DISABLING_LINE.test(line));
  return droppedScanner || (switchedOff && (SCANNER.test(file) || SCANNER.test(added)));
}

/** Commit-hook configuration of pre-commit, husky, lefthook and overcommit. */
const HOOK_FILE =
  /(?:^|\/)\.pre-commit-config\.ya?ml$|(?:^|\/)\.husky\/[^/]+$|(?:^|\/)\.?lefthook(?:-local)?\.ya?ml$|(?:^|\/)\.overcommit\.ya?ml$/;

/**
 * Checks whether an edit of a commit-hook file, from `removed` to `added`, leaves fewer lines
 * that run a security scanner than before, such as dropping the gitleaks hook.
 */
export function removesSecurityHook(file: string, removed: string, added: string): boolean {
  return HOOK_FILE.test(file) && scannerLines(removed) > scannerLines(added);
}

/**
 * Checks whether the user asked to remove, disable or skip a scanner the removed text runs,
 * naming it ("drop the gitleaks hook").
 */
export function asksToRemoveScanner(removed: string, messages: string): boolean {
  const names = new Set(
    [...removed.matchAll(new RegExp(SCANNER.source, 'gi'))].map((match) => match[0].toLowerCase()),
  );
  return (
    /\b(?:remov\w*|drop\w*|delet\w*|disabl\w*|skip\w*|turn\w* off|get rid of)\b/i.test(messages) &&
    [...names].some((name) => messages.toLowerCase().includes(name))
  );
}
