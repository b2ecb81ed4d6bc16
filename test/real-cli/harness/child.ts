import { readFileSync } from 'node:fs';
import { runHarness } from './harness-main.js';
import type { ChildSpec } from './spec.js';

/** The namespaced end of runInNamespace: argv[2] is the spec file it wrote. */
await runHarness(JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as ChildSpec);
