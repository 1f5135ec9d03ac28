/**
 * Settings files of cloud CLIs that contain no secret, which a user may ask about ("which region
 * is my default AWS profile set to?"). They sit next to the files that do contain secrets, so
 * `CREDENTIAL_PATH` matches the whole folder or both names, and each file is decided here:
 *
 * - `~/.aws/config` contains profiles, regions, output formats, SSO start URLs and
 *   `credential_process` commands. Keys belong in `~/.aws/credentials`, which stays secret.
 * - gcloud's named configurations (`~/.config/gcloud/configurations/config_NAME`) and
 *   `active_config` contain the account, project and region. Tokens sit in `credentials.db`,
 *   `access_tokens.db`, `legacy_credentials/` and `application_default_credentials.json`.
 * - The Azure CLI's `~/.azure/config` contains defaults and output settings. Tokens sit in
 *   `msal_token_cache.*` and `accessTokens.json`.
 *
 * `~/.kube/config` contains cluster tokens and client keys and `~/.docker/config.json`
 * contains registry logins, so both stay secret.
 */
import { requestsVerb } from './consent.js';
import { resolvePath, type PathContext } from './paths.js';

interface CloudConfig {
  /** The file, matched against a resolved absolute path. */
  file: RegExp;
  /** User words that name the file. */
  named: RegExp;
  /** User words that name the tool, which ask about the file next to a settings word. */
  tool: RegExp;
}

/** Words that ask about a CLI's settings, in the same sentence as the tool's name. */
const SETTINGS =
  /\b(?:config\w*|region|profiles?|project|account|zone|output|sso|settings?|defaults?)\b/i;

const CLOUD_CONFIGS: readonly CloudConfig[] = [
  {
    // NOTE: the AWS CLI also accepts keys typed into this file by hand, which is not detected.
    file: /\/\.aws\/config$/,
    named: /\.aws\/config\b/i,
    tool: /\baws\b/i,
  },
  {
    file: /\/\.config\/gcloud\/(?:configurations\/config_[\w.-]+|active_config)$/,
    named: /gcloud\/(?:configurations|active_config)/i,
    tool: /\b(?:gcloud|google cloud|gcp)\b/i,
  },
  {
    file: /\/\.azure\/config$/,
    named: /\.azure\/config\b/i,
    tool: /\b(?:azure|az)\b/i,
  },
];

/**
 * Checks whether `resolved`, an absolute path, is a cloud CLI's settings file that contains no
 * secret and the consenting text `messages` names it or asks about its settings.
 */
export function isAskedCloudConfig(resolved: string, messages: string): boolean {
  const config = CLOUD_CONFIGS.find((candidate) => candidate.file.test(resolved));
  if (config === undefined) {
    return false;
  }
  return (
    config.named.test(messages) ||
    messages
      .split(/(?<=[.!?])\s+|\n+/)
      .some((sentence) => config.tool.test(sentence) && SETTINGS.test(sentence))
  );
}

/**
 * Checks whether the shell word `arg` names exactly one such file, with no glob or brace that
 * could reach the secret file next to it (`~/.aws/*`, `~/.aws/{config,credentials}`).
 */
export function namesAskedCloudConfig(arg: string, paths: PathContext, messages: string): boolean {
  if (/[*?[\]{}$`]/.test(arg) || !/config\b/.test(arg)) {
    return false;
  }
  return isAskedCloudConfig(resolvePath(arg, paths), messages);
}

/**
 * Tool settings files that may also hold a registry or cluster token: the user reads them for
 * their settings (which registry, which context), so a Read they ask for by path is allowed.
 * Files that hold only credentials (`.netrc`, `.git-credentials`, `~/.aws/credentials`, keys)
 * are not listed.
 */
const SETTINGS_WITH_TOKENS =
  /\/(?:\.npmrc|\.yarnrc(?:\.yml)?|\.pypirc|\.pip\/pip\.conf|\.config\/pip\/pip\.conf|\.docker\/config\.json|\.kube\/config|\.m2\/settings\.xml|\.gradle\/gradle\.properties|\.condarc|\.gemrc|\.cargo\/config(?:\.toml)?|\.bundle\/config)$/;

/** Words that put a read off until later: "read ~/.npmrc after I rotate the token". */
const DEFERRED_READ =
  /\b(?:once|after|when|until|unless|if|tomorrow|later|tonight|next\s+(?:week|time))\b/i;

/** Verbs that ask to read or look at a file. */
const READ_VERBS = String.raw`read\w*|open\w*|look\w* (?:at|in(?:to)?)|show\w*|check\w*|cat|print\w*|view\w*|inspect\w*|see`;

/**
 * Checks that `resolved`, an absolute path, is one of the settings files above and a read
 * request in the consenting text `messages` names it by path: `~/.npmrc`, `$HOME/.npmrc`, the
 * absolute path, or the file name when the request also says "my" or "home" ("read my
 * .npmrc"). Only the Read tool gets this, so no search or upload reaches the file through it.
 */
export function isRequestedSettingsRead(
  resolved: string,
  homeDir: string,
  messages: string,
): boolean {
  if (!SETTINGS_WITH_TOKENS.test(resolved) || !resolved.startsWith(`${homeDir}/`)) {
    return false;
  }
  const relative = resolved.slice(homeDir.length + 1);
  const escaped = relative.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const byPath = new RegExp(
    String.raw`(?:^|[\s"'\`(])(?:~/|\$HOME/|\$\{HOME\}/|${homeDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/)${escaped}(?=$|[\s"'\`),;:!?]|\.(?:\s|$))`,
  );
  const byName = new RegExp(String.raw`\b(?:my|home)\b.{0,30}(?:^|[\s"'\`(])${escaped}\b`, 'i');
  return requestsVerb(READ_VERBS, messages).some(
    (request) => !DEFERRED_READ.test(request) && (byPath.test(request) || byName.test(request)),
  );
}
