/**
 * `sandstack login` and `sandstack context …`: store server URLs and tokens as named
 * contexts in the config file, and pick the one later commands use.
 */
import type { Command } from 'commander';
import { SandstackApiError, SandstackClient } from '../../client/index.js';
import { SandstackError } from '../../core/errors.js';
import { isValidName } from '../../core/ids.js';
import { LOCAL_CONTEXT, configPath, readConfig, requireContext, writeConfig } from '../config.js';
import { printJson, printLine } from '../output.js';

const DEFAULT_CONTEXT = 'default';

interface GlobalOptions {
  server?: string;
  context?: string;
}

/** Registers `sandstack login` and `sandstack context use|list|delete`. */
export function register(program: Command): void {
  program
    .command('login')
    .description(
      'Check a token against a server and store both as a context of the config file (mode 0600)',
    )
    .option('--token-stdin', 'read the token from standard input (the only way to pass it)')
    .option('--json', 'print the stored context (without the token) as JSON')
    .addHelpText(
      'after',
      `\nExample:\n  printf '%s' "$TOKEN" | sandstack login --server http://127.0.0.1:7420 --context prod --token-stdin`,
    )
    .action(async (options: { tokenStdin?: boolean; json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const server = globals.server ?? process.env['SANDSTACK_SERVER'];
      if (server === undefined || server === '') {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          'No server given; pass --server <url>, such as --server http://127.0.0.1:7420',
        );
      }
      if (options.tokenStdin !== true) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          'Pass the token on standard input with --token-stdin, so it stays out of the shell history and the process list',
        );
      }
      const name = globals.context ?? DEFAULT_CONTEXT;
      if (name === LOCAL_CONTEXT || name === '__proto__' || !isValidName(name)) {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          `Context name "${name}" is invalid; use 1-63 letters, digits, ".", "_" or "-", and not "${LOCAL_CONTEXT}"`,
        );
      }
      const token = (await readStdin()).trim();
      if (token === '') {
        throw new SandstackError(
          'INVALID_ARGUMENT',
          'Standard input is empty; pipe the token in, such as printf "%s" "$TOKEN" | sandstack login …',
        );
      }
      const role = await checkToken(server, token);

      const path = configPath();
      const config = readConfig(path);
      config.contexts[name] = { server, token };
      config['current-context'] = name;
      writeConfig(config, path);
      if (options.json === true) {
        printJson({ context: name, server, role, config: path });
        return;
      }
      printLine(`Logged in to ${server} as ${role}; context "${name}" stored in ${path}`);
    });

  registerContext(program);
}

function registerContext(program: Command): void {
  const context = program
    .command('context')
    .description('List the contexts of the config file and pick the one commands use');

  context
    .command('use <name>')
    .description(`Make a context current; "${LOCAL_CONTEXT}" goes back to the local state folder`)
    .action((name: string) => {
      const path = configPath();
      const config = readConfig(path);
      if (name === LOCAL_CONTEXT) {
        delete config['current-context'];
        writeConfig(config, path);
        printLine('Commands now act on the local state folder');
        return;
      }
      const found = requireContext(config, name, path);
      config['current-context'] = name;
      writeConfig(config, path);
      printLine(`Commands now go to ${found.server} (context "${name}")`);
    });

  context
    .command('list')
    .description('List contexts and their servers; tokens are never printed')
    .option('--json', 'print the contexts as JSON')
    .action((options: { json?: boolean }) => {
      const path = configPath();
      const config = readConfig(path);
      const current = config['current-context'];
      const contexts = Object.entries(config.contexts).map(([name, value]) => ({
        name,
        server: value.server,
        current: name === current,
      }));
      if (options.json === true) {
        printJson({ config: path, contexts });
        return;
      }
      if (contexts.length === 0) {
        printLine(
          `No contexts in ${path}; add one with "sandstack login --server <url> --token-stdin"`,
        );
        return;
      }
      for (const item of contexts) {
        printLine(`${item.current ? '*' : ' '} ${item.name}  ${item.server}`);
      }
    });

  context
    .command('delete <name>')
    .description('Remove a context and its token from the config file')
    .action((name: string) => {
      const path = configPath();
      const config = readConfig(path);
      requireContext(config, name, path);
      delete config.contexts[name];
      if (config['current-context'] === name) {
        delete config['current-context'];
      }
      writeConfig(config, path);
      printLine(`Context "${name}" deleted`);
    });
}

/**
 * Checks the token against the server and returns its role. A tenant token reads its own
 * usage; the admin token gets a 403 there and lists tenants instead.
 */
async function checkToken(server: string, token: string): Promise<string> {
  const client = new SandstackClient({ baseUrl: server, token });
  try {
    const usage = await client.usage();
    return `tenant "${usage.tenant}"`;
  } catch (error) {
    if (!(error instanceof SandstackApiError) || error.status !== 403) {
      throw error;
    }
  }
  await client.tenants.list();
  return 'admin';
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
