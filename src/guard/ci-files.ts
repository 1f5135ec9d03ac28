/**
 * CI pipeline files: GitHub Actions workflows, GitLab CI, CircleCI, Azure Pipelines,
 * Buildkite, Bitbucket Pipelines, Drone, Travis CI and Jenkinsfiles. Their steps run on the
 * next push with the repository's CI secrets in reach, so a change that writes the whole
 * secrets context into a job leaks every secret to the job's log or to whatever the step
 * runs.
 */

/** Paths of CI pipeline files, relative to the project folder. */
const CI_FILE =
  /^(?:\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.gitlab\/ci\/.+\.ya?ml|\.circleci\/config\.ya?ml|(?:\.azure-pipelines\/.+|\.azure\/pipelines\/.+|azure-pipelines[\w.-]*)\.ya?ml|\.buildkite\/[^/]*pipeline[^/]*\.ya?ml|bitbucket-pipelines\.ya?ml|\.drone\.ya?ml|\.travis\.ya?ml)$/;
/** Jenkins pipeline files: `Jenkinsfile`, `Jenkinsfile.deploy`, `ci/release.jenkinsfile`. */
const JENKINS_FILE = /(?:^|\/)(?:Jenkinsfile(?:\.[\w-]+)?|[\w-]+\.jenkinsfile)$/i;

/** Checks whether `relative` (a path inside the project) is a YAML CI pipeline file. */
export function isYamlCiFile(relative: string): boolean {
  return CI_FILE.test(relative);
}

/** Checks whether `relative` (a path inside the project) is a Jenkins pipeline file. */
export function isJenkinsFile(relative: string): boolean {
  return JENKINS_FILE.test(relative);
}

/** Expressions that expand to every GitHub Actions secret at once: `toJSON(secrets)`, `${{ secrets }}`. */
const SECRETS_CONTEXT = /\btoJSON\(\s*secrets\s*\)|\$\{\{\s*secrets\s*\}\}/i;
/** User words that ask for the whole secrets context, as in "dump toJSON(secrets)". */
const ASKS_FOR_ALL_SECRETS =
  /toJSON\(\s*secrets\s*\)|\ball (?:of )?(?:the |our )?(?:ci |repo(?:sitory)? )?secrets\b/i;

/**
 * Returns the secrets-context expression that `added` brings into a CI file and `removed`
 * did not have, unless the user's consenting words ask for all secrets. Undefined otherwise.
 */
export function addedSecretsDump(
  added: string,
  removed: string,
  consenting: string,
): string | undefined {
  if (!added.includes('secrets')) {
    return undefined;
  }
  const dump = SECRETS_CONTEXT.exec(added)?.[0];
  if (
    dump === undefined ||
    SECRETS_CONTEXT.test(removed) ||
    ASKS_FOR_ALL_SECRETS.test(consenting)
  ) {
    return undefined;
  }
  return dump;
}
