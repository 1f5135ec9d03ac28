#!/usr/bin/env -S node --no-node-snapshot
// isolated-vm needs V8's startup snapshot disabled on Node 20 and later, hence the flag above.
import '../dist/cli/main.js';
