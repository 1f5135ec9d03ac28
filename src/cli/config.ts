/**
 * The CLI's config file of named contexts, like kubectl's: each context is a server URL and
 * a token. It contains bearer tokens, so it is written with mode 0600 and not read at all when
 * group or others can read it.
 *
 * ```yaml
 * current-context: prod
 * contexts:
 *   prod:
 *     server: https://sandstack.example.com
 *     token: sst_…
 * ```
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { SandstackError } from '../core/errors.js';

/** Context name that means "no server": commands act on the local state folder. */
export const LOCAL_CONTEXT = 'local';

const contextSchema = z.object({
  server: z
    .string()
    .min(1, { error: 'server is empty; set it to the server URL' })
    .regex(/^https?:\/\/[^/]/i, {
      error: 'server must be an http:// or https:// URL, such as http://127.0.0.1:7420',
    }),
  token: z.string().min(1, { error: 'token is empty; run "sandstack login" again' }),
});

const configSchema = z.object({
  'current-context': z.string().optional(),
  contexts: z.record(z.string(), contextSchema).default({}),
});

/** One named context: where the server is and which token to send it. */
export type CliContext = z.infer<typeof contextSchema>;

/** The parsed config file. */
export type CliConfig = z.infer<typeof configSchema>;

/**
 * Returns the config file path: `$SANDSTACK_CONFIG`, else `sandstack/config.yaml` under
 * `$XDG_CONFIG_HOME`, else under `~/.config`.
 */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['SANDSTACK_CONFIG'];
  if (explicit !== undefined && explicit !== '') {
    return explicit;
  }
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.config');
  return join(base, 'sandstack', 'config.yaml');
}

/**
 * Reads the config file; a missing file is an empty config.
 * @throws SandstackError `INVALID_CONFIG` when group or others can read the file, or when it
 *   is not valid YAML of the expected shape
 */
export function readConfig(path: string = configPath()): CliConfig {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { contexts: {} };
    }
    throw error;
  }
  if ((mode & 0o077) !== 0) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Config file ${path} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}, so other users can read its tokens; run "chmod 600 ${path}" and try again`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Config file ${path} is not valid YAML: ${(error as Error).message}`,
    );
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SandstackError(
      'INVALID_CONFIG',
      `Config file ${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; fix it or run "sandstack login" again`,
    );
  }
  return parsed.data;
}

/**
 * Writes the config file with mode 0600 (its folder 0700), through a temporary file so a
 * crash never leaves half a file.
 */
export function writeConfig(config: CliConfig, path: string = configPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, stringifyYaml(config), { mode: 0o600 });
  // writeFileSync keeps the mode of a file that exists already, so set it again.
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/**
 * Returns the named context.
 * @throws SandstackError `NOT_FOUND` naming the contexts there are
 */
export function requireContext(config: CliConfig, name: string, path: string): CliContext {
  // An own-property lookup, so names such as "constructor" are not found on the prototype.
  const context = Object.hasOwn(config.contexts, name) ? config.contexts[name] : undefined;
  if (context === undefined) {
    const names = Object.keys(config.contexts);
    throw new SandstackError(
      'NOT_FOUND',
      `Context "${name}" not found in ${path}; ${names.length === 0 ? 'add one with "sandstack login --server <url> --token-stdin"' : `it has ${names.join(', ')}`}`,
    );
  }
  return context;
}
