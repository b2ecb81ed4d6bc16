#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

const code = await main(process.argv);
// Exit explicitly: a lingering handle (a Redis reconnect timer, a socket) must not keep a finished run alive.
if (code >= 0) process.exit(code);
