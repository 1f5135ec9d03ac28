/**
 * Settings files of cloud CLIs that hold no secret, which a user may ask about ("which region
 * is my default AWS profile set to?"). They sit next to the files that do hold secrets, so
 * `CREDENTIAL_PATH` matches the whole folder or both names, and each file is decided here:
 *
 * - `~/.aws/config` holds profiles, regions, output formats, SSO start URLs and
 *   `credential_process` commands. Keys belong in `~/.aws/credentials`, which stays secret.
 * - gcloud's named configurations (`~/.config/gcloud/configurations/config_NAME`) and
 *   `active_config` hold the account, project and region. Tokens sit in `credentials.db`,
 *   `access_tokens.db`, `legacy_credentials/` and `application_default_credentials.json`.
 * - The Azure CLI's `~/.azure/config` holds defaults and output settings. Tokens sit in
 *   `msal_token_cache.*` and `accessTokens.json`.
 *
 * `~/.kube/config` holds cluster tokens and client keys and `~/.docker/config.json` holds
 * registry logins, so both stay secret.
 */
import { resolvePath, type PathContext } from './paths.js';

interface CloudConfig {
  /** The file, matched against a resolved absolute path. */
  file: RegExp;
  /** User words that name the file or ask about the settings in it. */
  asked: RegExp;
}

const SETTINGS_WORDS = String.raw`config\w*|region|profiles?|project|account|zone|output|sso|settings?|defaults?`;

const CLOUD_CONFIGS: readonly CloudConfig[] = [
  {
    // NOTE: the AWS CLI also accepts keys typed into this file by hand, which is not detected.
    file: /\/\.aws\/config$/,
    asked: new RegExp(String.raw`\.aws\/config\b|\baws\b[^.?!\n]*\b(?:${SETTINGS_WORDS})\b`, 'i'),
  },
  {
    file: /\/\.config\/gcloud\/(?:configurations\/config_[\w.-]+|active_config)$/,
    asked: new RegExp(
      String.raw`gcloud\/(?:configurations|active_config)|\b(?:gcloud|google cloud|gcp)\b[^.?!\n]*\b(?:${SETTINGS_WORDS})\b`,
      'i',
    ),
  },
  {
    file: /\/\.azure\/config$/,
    asked: new RegExp(
      String.raw`\.azure\/config\b|\b(?:azure|az)\b[^.?!\n]*\b(?:${SETTINGS_WORDS})\b`,
      'i',
    ),
  },
];

/**
 * Checks whether `resolved`, an absolute path, is a cloud CLI's settings file that holds no
 * secret and the consenting text `messages` names it or asks about its settings.
 */
export function isAskedCloudConfig(resolved: string, messages: string): boolean {
  const config = CLOUD_CONFIGS.find((candidate) => candidate.file.test(resolved));
  return config !== undefined && config.asked.test(messages);
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
