/**
 * Checks of changes to service, package-manager and deployment configuration, and of code
 * that prints the whole environment, shared by the Edit and Write tools and by shell commands
 * that write such files or set such options.
 */
import { checkAuthChange, checkAuthCommands } from './auth-settings.js';
import { checkClearSecretChange, checkClearSecretCommands } from './clear-secrets.js';
import type { Finding } from './findings.js';
import { checkEnvironmentDumpChange } from './inline-environment.js';
import { checkSourceChange, checkSourceCommands } from './package-sources.js';
import { checkSecuritySettingChange, checkSecuritySettingCommands } from './security-settings.js';
import type { ParsedShell } from './shell.js';

/**
 * Judges a change of the project file `relative` (relative to the project folder) that
 * removes `removed` and adds `added`, against the user's consenting `messages`.
 */
export function checkConfigChange(
  relative: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  return (
    checkAuthChange(relative, removed, added, messages) ??
    checkSourceChange(relative, removed, added, messages) ??
    checkClearSecretChange(relative, removed, added) ??
    checkEnvironmentDumpChange(relative, removed, added, messages) ??
    checkSecuritySettingChange(relative, removed, added, messages)
  );
}

/** Runs the configuration checks on a parsed shell command line. */
export function checkConfigCommands(parsed: ParsedShell, messages: string): Finding | undefined {
  return (
    checkAuthCommands(parsed, messages) ??
    checkSourceCommands(parsed, messages) ??
    checkClearSecretCommands(parsed) ??
    checkSecuritySettingCommands(parsed, messages)
  );
}
