/**
 * Standalone entry point of the Claude Code hook: `node dist/guard/hook-main.js [options]`
 * takes the options of `sandstack guard hook` but skips loading the whole CLI. With the
 * guard daemon running, a call costs little more than Node's start-up.
 */
import { parseArgs } from 'node:util';
import { decideHookCall } from './hook-client.js';
import { resolveHookOptions } from './hook-options.js';

const BLOCKING_EXIT_CODE = 2;

const OPTIONS = {
  state: { type: 'string' },
  'state-dir': { type: 'string' },
  policy: { type: 'string' },
  'project-dir': { type: 'string' },
  home: { type: 'string' },
  'stage2-provider': { type: 'string' },
  'stage2-url': { type: 'string' },
  'stage2-model': { type: 'string' },
  approvals: { type: 'string' },
  'approval-timeout': { type: 'string' },
  'hook-timeout': { type: 'string' },
  socket: { type: 'string' },
  'no-daemon': { type: 'boolean' },
} as const;

async function main(): Promise<number> {
  let stdin: string;
  let resolved: ReturnType<typeof resolveHookOptions>;
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: OPTIONS, strict: true });
    resolved = resolveHookOptions({
      state: values.state,
      stateDir: values['state-dir'],
      policy: values.policy,
      projectDir: values['project-dir'],
      home: values.home,
      stage2Provider: values['stage2-provider'],
      stage2Url: values['stage2-url'],
      stage2Model: values['stage2-model'],
      approvals: values.approvals,
      approvalTimeout: values['approval-timeout'],
      hookTimeout: values['hook-timeout'],
      socket: values.socket,
      daemon: values['no-daemon'] !== true,
    });
    stdin = await readStdin();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sandstack guard: ${message}\n`);
    return BLOCKING_EXIT_CODE;
  }
  const result = await decideHookCall(stdin, resolved.settings, {
    socketPath: resolved.socketPath,
    hookTimeoutMs: resolved.hookTimeoutMs,
  });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.exitCode;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY === true) {
    throw new Error(
      'No hook input: stdin is a terminal; run this command as a Claude Code PreToolUse hook, which writes the hook JSON to stdin',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Any failure, even one in this file, must exit 2, because Claude Code runs the call on
// every other non-zero code.
process.on('uncaughtException', (error) => {
  process.stderr.write(`sandstack guard: The hook failed: ${String(error)}\n`);
  process.exit(BLOCKING_EXIT_CODE);
});
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sandstack guard: The hook failed: ${String(error)}\n`);
    process.exitCode = BLOCKING_EXIT_CODE;
  },
);
