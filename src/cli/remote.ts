/**
 * Decides whether a command acts on the local state folder or on a remote `sandstack serve`,
 * and opens the client for the remote case.
 *
 * The server comes from `--server`, else `SANDSTACK_SERVER`, else the context picked with
 * `--context` or the config file's current context. The token comes from `SANDSTACK_TOKEN`,
 * else from that context (or, with `--server`, from a context of the same server URL).
 */
import type { Command } from 'commander';
import { SandstackApiError, SandstackClient } from '../client/index.js';
import { SandstackError } from '../core/errors.js';
import { LOCAL_CONTEXT, configPath, readConfig, requireContext, type CliConfig } from './config.js';

/** Server and token of a remote command. */
export interface RemoteTarget {
  server: string;
  token: string;
  /** Source of the token, for error messages: `SANDSTACK_TOKEN` or a context. */
  tokenSource: string;
}

/** A remote server to send a command's requests to. */
export interface Remote {
  target: RemoteTarget;
  /**
   * Calls the client; a 401 gets the token's source added to its message, so the user
   * knows which token to replace.
   */
  call<T>(request: (client: SandstackClient) => Promise<T>): Promise<T>;
}

interface GlobalOptions {
  server?: string;
  context?: string;
}

/**
 * Resolves the remote target of a command, or returns undefined when it acts locally.
 * @throws SandstackError `INVALID_CONFIG` for an unreadable config file, `NOT_FOUND` for an
 *   unknown context, `INVALID_ARGUMENT` when a server is set but no token is found
 */
export function resolveRemote(
  command: Command,
  env: NodeJS.ProcessEnv = process.env,
): RemoteTarget | undefined {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const envToken = nonEmpty(env['SANDSTACK_TOKEN']);
  const explicitServer = nonEmpty(globals.server) ?? nonEmpty(env['SANDSTACK_SERVER']);
  if (explicitServer !== undefined && envToken !== undefined && globals.context === undefined) {
    // Nothing from the config file is needed, so it is not read.
    return { server: explicitServer, token: envToken, tokenSource: 'SANDSTACK_TOKEN' };
  }

  const path = configPath(env);
  const config = readConfig(path);
  const contextName = globals.context ?? config['current-context'];
  if (
    explicitServer === undefined &&
    (contextName === undefined || contextName === LOCAL_CONTEXT)
  ) {
    return undefined;
  }
  if (explicitServer === undefined) {
    const context = requireContext(config, contextName as string, path);
    return envToken === undefined
      ? { server: context.server, token: context.token, tokenSource: `context "${contextName}"` }
      : { server: context.server, token: envToken, tokenSource: 'SANDSTACK_TOKEN' };
  }
  if (envToken !== undefined) {
    return { server: explicitServer, token: envToken, tokenSource: 'SANDSTACK_TOKEN' };
  }
  const found = contextFor(config, explicitServer, globals.context, path);
  if (found === undefined) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `No token for server ${explicitServer}; set SANDSTACK_TOKEN, or run "sandstack login --server ${explicitServer} --token-stdin" to store one in ${path}`,
    );
  }
  return { server: explicitServer, token: found.token, tokenSource: `context "${found.name}"` };
}

/** Opens the remote of a command, or returns undefined when it acts on the local state folder. */
export function openRemote(command: Command): Remote | undefined {
  const target = resolveRemote(command);
  if (target === undefined) {
    return undefined;
  }
  const client = new SandstackClient({ baseUrl: target.server, token: target.token });
  return {
    target,
    call: async (request) => {
      try {
        return await request(client);
      } catch (error) {
        throw explainUnauthenticated(error, target);
      }
    },
  };
}

/**
 * Throws when a server is set, for commands that have no HTTP counterpart.
 * @throws SandstackError `INVALID_ARGUMENT` naming the command and how to run it locally
 */
export function rejectRemote(command: Command, name: string): void {
  const target = resolveRemote(command);
  if (target === undefined) {
    return;
  }
  throw new SandstackError(
    'INVALID_ARGUMENT',
    `"sandstack ${name}" works only on the local state folder and has no HTTP counterpart on ${target.server}; run it without --server and SANDSTACK_SERVER, or switch with "sandstack context use ${LOCAL_CONTEXT}"`,
  );
}

/**
 * Throws when an option that only the local path reads was given on the command line for a
 * remote command, so it is not silently ignored.
 * @throws SandstackError `INVALID_ARGUMENT`
 */
export function rejectLocalOptions(command: Command, names: readonly string[], why: string): void {
  for (const name of names) {
    if (command.getOptionValueSource(name) === 'cli') {
      const flag = `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
      throw new SandstackError('INVALID_ARGUMENT', `${flag} does not apply with a server: ${why}`);
    }
  }
}

function contextFor(
  config: CliConfig,
  server: string,
  contextName: string | undefined,
  path: string,
): { name: string; token: string } | undefined {
  if (contextName !== undefined) {
    return { name: contextName, token: requireContext(config, contextName, path).token };
  }
  const serverUrl = normalizeUrl(server);
  const current = config['current-context'];
  const entries = Object.entries(config.contexts).filter(
    ([, context]) => normalizeUrl(context.server) === serverUrl,
  );
  // Prefer the current context when several contexts point at the same server.
  const match = entries.find(([name]) => name === current) ?? entries[0];
  return match === undefined ? undefined : { name: match[0], token: match[1].token };
}

function explainUnauthenticated(error: unknown, target: RemoteTarget): unknown {
  if (!(error instanceof SandstackApiError) || error.status !== 401) {
    return error;
  }
  return new SandstackApiError({
    status: error.status,
    code: error.code,
    message: `${error.message} (the token came from ${target.tokenSource}; server ${target.server})`,
    issues: error.issues,
    request: error.request,
  });
}

function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
