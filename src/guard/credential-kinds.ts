/**
 * Stage-1 checks of how credentials leave their place: secret getters that print values,
 * secret files copied into committed files, env files read across other projects, and
 * literal secrets in what a command posts.
 */
import type { Finding } from './findings.js';
import { checkOtherProjectSecrets } from './other-projects.js';
import type { PathContext } from './paths.js';
import { checkSecretCopies } from './secret-copies.js';
import { checkSecretGetters } from './secret-getters.js';
import { checkShellSentSecrets } from './sent-secrets.js';
import { checkSentPasswords } from './sent-passwords.js';
import type { ParsedShell } from './shell.js';

/** Runs the checks of the modules above in order and returns the first finding. */
export function checkCredentialKinds(
  parsed: ParsedShell,
  paths: PathContext,
  projectDir: string,
  messages: string,
): Finding | undefined {
  return (
    checkSecretGetters(parsed.commands, messages) ??
    checkSecretCopies(parsed, paths, projectDir) ??
    checkOtherProjectSecrets(parsed, paths, projectDir, messages) ??
    checkShellSentSecrets(parsed.commands) ??
    checkSentPasswords(parsed, messages)
  );
}
