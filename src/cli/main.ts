/**
 * Entry point of the `sandstack` command. Each noun lives in `commands/<noun>.ts` and
 * registers its verbs on the program.
 */
import { Command } from 'commander';
import { reportError } from './output.js';
import { COMMANDS } from './commands/index.js';

// A reader that closed the pipe early (`sandstack … | head`) has all the output it wants, so
// the command stops quietly instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exit(process.exitCode ?? 0);
  }
  throw error;
});

const program = new Command('sandstack')
  .description("Run AI agents' tasks safely: sandboxes, durable workflows and a per-action guard")
  .version('0.1.0')
  .showHelpAfterError()
  .option('--state-dir <dir>', 'folder for the state database and sandboxes', '.sandstack')
  .option(
    '--server <url>',
    'send commands to this sandstack server instead of the state folder (env SANDSTACK_SERVER; token from SANDSTACK_TOKEN or the config file)',
  )
  .option('--context <name>', 'context of the config file to use instead of its current one');

for (const register of COMMANDS) {
  register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const json = process.argv.includes('--json');
  process.exitCode = reportError(error, json);
}
