/**
 * Reads of one non-secret field of a secret, named the way users name them. "What's the dev
 * db host in vault?" names `vault kv get -field=host secret/dev/acme-api/db` by the field and
 * the environment of the path, and "which db host does the dev secrets file point to?" names
 * `sops -d secrets/dev.enc.yaml | yq '.database.host'`, whose filter keeps only that field. A
 * secret field (password, token, key, connection string), a path of another environment and a
 * filter that keeps more than one field are not covered.
 */
import { environmentOfWord } from './environment-buckets.js';
import { containsWord } from './named-targets.js';
import type { SimpleCommand } from './shell.js';

/**
 * Checks whether `messages` name every environment that `secretPath` carries
 * (`secret/dev/acme-api/db` carries `dev`), and the path carries at least one. A path that
 * carries production needs a production word in the messages as well. Messages that give a
 * path under the same mount (`secret/dev/payments`) name that path only, not a longer one.
 */
export function namesPathEnvironment(messages: string, secretPath: string): boolean {
  const mount = secretPath.split('/')[0] ?? '';
  if (mount === '' || messages.toLowerCase().includes(`${mount.toLowerCase()}/`)) {
    return false;
  }
  const environments = new Set(
    secretPath.split(/[^A-Za-z0-9]+/).flatMap((word) => environmentOfWord(word) ?? []),
  );
  return (
    environments.size > 0 &&
    [...environments].every((environment) =>
      secretPath
        .split(/[^A-Za-z0-9]+/)
        .some((word) => environmentOfWord(word) === environment && containsWord(messages, word)),
    )
  );
}

/** A jq or yq path to one value: `.database.host`, `.data.db_host`. */
const FIELD_PATH = /^\.[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/;

/** Options of jq and yq that change only how the value is printed. */
const PRINT_OPTIONS = new Set(['-r', '--raw-output', '-e', '--exit-status', '-M', '-C']);

/**
 * Returns the last field of the one path that the command after `reader` in its pipeline
 * keeps, when that command is `jq PATH` or `yq [e|eval] PATH` and ends the pipeline.
 */
export function selectedField(
  reader: SimpleCommand,
  commands: readonly SimpleCommand[],
): string | undefined {
  const position = reader.pipeline;
  if (position === undefined || position.index !== position.length - 2 || reader.via.length > 0) {
    return undefined;
  }
  const filter = commands.find(
    (command) =>
      command.pipeline?.id === position.id && command.pipeline.index === position.index + 1,
  );
  if (filter === undefined || filter.dynamic || !['jq', 'yq'].includes(filter.name)) {
    return undefined;
  }
  const args = filter.argv.slice(1).filter((arg) => !PRINT_OPTIONS.has(arg));
  const path = filter.name === 'yq' && ['e', 'eval'].includes(args[0] ?? '') ? args[1] : args[0];
  const rest = args.length - (path === args[0] ? 1 : 2);
  if (path === undefined || rest !== 0 || !FIELD_PATH.test(path)) {
    return undefined;
  }
  return path.split('.').at(-1);
}
