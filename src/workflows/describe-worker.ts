/**
 * Entry of a short-lived child process that loads one workflow bundle in an isolate and
 * lists its entrypoint classes. Deploys run this check here rather than in the server's
 * or CLI's own process, because isolated-vm may abort the whole process when top-level
 * tenant code runs out of memory.
 */
import { describeBundleInIsolate } from './describe.js';

process.once('message', (message: { code: string }) => {
  void describeBundleInIsolate(message.code).then((result) => {
    process.send?.(result, () => process.exit(0));
  });
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
