import { resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { checkHost } from '../../sandbox/doctor.js';
import { sandboxDrivers } from '../../server/stack.js';
import { printJson, printLine } from '../output.js';

/** Registers `sandstack doctor`. */
export function register(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check that this host (and the cluster, when SANDSTACK_SANDBOX_ROUTER_URL is set) can run sandboxes, and say how to fix what it cannot',
    )
    .option('--json', 'print the checks as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { stateDir = '.sandstack' } = command.optsWithGlobals<{ stateDir?: string }>();
      const checks = await checkHost({ drivers: await sandboxDrivers(resolve(stateDir)) });
      if (options.json === true) {
        printJson(checks);
      } else {
        for (const check of checks) {
          const mark = check.ok ? pc.green('ok  ') : pc.red('FAIL');
          printLine(
            `${mark} ${check.name}${check.detail === undefined ? '' : ` (${check.detail})`}`,
          );
          if (!check.ok) {
            printLine(`     why: ${check.reason ?? 'unknown'}`);
            printLine(`     fix: ${check.fix ?? 'none known'}`);
          }
        }
      }
      const runtimeOk = checks.some((check) => check.name.startsWith('runtime ') && check.ok);
      process.exitCode = runtimeOk ? 0 : 1;
    });
}
