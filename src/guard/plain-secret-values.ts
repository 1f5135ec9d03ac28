/**
 * Stage-1 check for a literal secret given as a plain deployment value:
 * `helm upgrade … --set env.API_KEY=sk_live_…`, `kubectl set env deploy/api TOKEN=ghp_…` or
 * `gcloud run deploy … --set-env-vars KEY=AKIA…`. The value is stored in clear text where
 * everyone who can read the release, the pod spec or the service settings sees it, and it
 * stays in the shell history, so a secret belongs in a secret store or a secret reference.
 * A request to use a key says which key, not to paste it in clear text.
 */
import { finding, type Finding } from './findings.js';
import { redactSecrets } from './redact.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

const DEPLOYERS = new Set(['helm', 'kubectl', 'gcloud']);

/** Gate of {@link checkPlainSecretValues}, which judges only the programs of `DEPLOYERS`. */
export const PLAIN_SECRET_VALUES_GATE: CheckGate = { programs: DEPLOYERS };

/** Options of `helm` and `gcloud` whose value is a list of plain `KEY=value` settings. */
const VALUE_OPTIONS = new Set([
  '--set',
  '--set-string',
  '--set-literal',
  '--set-env-vars',
  '--update-env-vars',
]);

/** Returns the `KEY=value` settings that `command` stores as plain deployment values. */
function plainSettings(command: SimpleCommand): string[] {
  const args = command.argv.slice(1);
  if (command.name === 'kubectl') {
    return args[0] === 'set' && args[1] === 'env'
      ? args.slice(2).filter((arg) => /^\w+=/.test(arg))
      : [];
  }
  const settings: string[] = [];
  args.forEach((arg, index) => {
    const [option = '', attached] = arg.split(/=(.*)/s);
    if (!VALUE_OPTIONS.has(option)) {
      return;
    }
    settings.push(...(attached ?? args[index + 1] ?? '').split(','));
  });
  return settings;
}

/** Returns a finding for a deployment value that is a literal secret of a known format. */
export function checkPlainSecretValues(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    if (!DEPLOYERS.has(command.name)) {
      continue;
    }
    const setting = plainSettings(command).find((text) => {
      const value = text.slice(text.indexOf('=') + 1);
      return !value.includes('$') && redactSecrets(value) !== value;
    });
    if (setting !== undefined) {
      const key = setting.slice(0, setting.indexOf('='));
      return finding(
        'credential-leakage',
        `The command stores the secret of ${key} as a plain ${command.name} value, readable by everyone who can read the deployment`,
        'plain-secret-value',
      );
    }
  }
  return undefined;
}
