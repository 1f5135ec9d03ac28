#!/usr/bin/env -S node --no-node-snapshot
// isolated-vm needs V8's startup snapshot disabled on Node 20 and later, hence the flag above.

// `sandstack guard hook` runs once per tool call of an agent, so it skips loading the whole
// CLI and goes straight to the hook's own entry point, which takes the same options.
const args = process.argv.slice(2);
const hookAt = args.findIndex((arg, index) => arg === 'guard' && args[index + 1] === 'hook');
const before = hookAt === -1 ? [] : args.slice(0, hookAt);
const onlyStateDir =
  before.length === 0 ||
  (before.length === 2 && before[0] === '--state-dir') ||
  (before.length === 1 && before[0].startsWith('--state-dir='));
const wantsHelp = args.includes('--help') || args.includes('-h');

if (hookAt !== -1 && onlyStateDir && !wantsHelp) {
  process.argv = [process.argv[0], process.argv[1], ...before, ...args.slice(hookAt + 2)];
  await import('../dist/guard/hook-main.js');
} else {
  await import('../dist/cli/main.js');
}
