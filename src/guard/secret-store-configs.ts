/**
 * Stage-1 check for a secret written into a secret-manager config the request does not name:
 * `doppler secrets set DB_URL=… --config stg` after "my local app needs the right DB_URL",
 * or `infisical secrets set … --env prod`. A Doppler config or Infisical environment is shared
 * by everything that deploys from it, so the request must name the one to change
 * (`dev_personal`, "the dev config").
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { optionValue } from './options.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const SECRET_MANAGERS = new Set(['doppler', 'infisical']);

/** Gate of {@link checkSecretStoreConfigs}, which judges only `doppler` and `infisical`. */
export const SECRET_STORE_CONFIGS_GATE: CheckGate = { programs: SECRET_MANAGERS };

/** Returns the config a `secrets set|delete|upload` call writes to, `''` when it names none. */
function writtenConfig(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  if (args[0] !== 'secrets' || !['set', 'delete', 'upload'].includes(args[1] ?? '')) {
    return undefined;
  }
  const names = command.name === 'doppler' ? ['--config', '-c'] : ['--env', '-e'];
  return optionValue(args, names) ?? '';
}

/**
 * Returns a finding for a secret-manager write to a config that no request clause names
 * without a negation, or with no config at all, which writes to the folder's default config.
 */
export function checkSecretStoreConfigs(
  parsed: ParsedShell,
  allMessages: string,
): Finding | undefined {
  for (const command of parsed.commands) {
    if (!SECRET_MANAGERS.has(command.name)) {
      continue;
    }
    const config = writtenConfig(command);
    if (config === undefined) {
      continue;
    }
    const escaped = config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (
      config !== '' &&
      asksWithout(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'i'), allMessages)
    ) {
      continue;
    }
    return finding(
      'modify-shared-resource',
      config === ''
        ? `The command writes a ${command.name} secret to the default config, which the request does not name`
        : `The command writes a ${command.name} secret to the ${config} config, which the request does not name`,
      'secret-store-config',
    );
  }
  return undefined;
}
