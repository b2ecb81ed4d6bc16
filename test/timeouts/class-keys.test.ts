import { describe, expect, it } from 'vitest';
import { classify } from '../../src/timeouts/classify.js';
import { CLASSIFIER_VERSION, isCurrentClassKey } from '../../src/timeouts/keys.js';
import type { PlanInput } from '../../src/timeouts/types.js';

/**
 * History is stored under these keys, locally and in shared Redis. A change to the tokenizer, the
 * unwrapping or any rule that moves one of them orphans every user's history for that command: bump
 * CLASSIFIER_VERSION (src/timeouts/keys.ts) and update the pins together, never the pins alone.
 */

function t(argv: string[], shell = false): PlanInput {
  return { argv, shell, cwd: '/srv/app', timeout: {}, agent: 'none' };
}

const PINNED: Array<[string, PlanInput, string[]]> = [
  [
    'claude story',
    t(['claude', '-p', 'Write a 5000 word story about a lighthouse']),
    [
      'v2/fp:claude -p:42a8583a7ca809ec',
      'v2/tpl:claude -p:65500880cb097d93',
      'v2/verb:claude -p',
      'v2/tool:claude',
      'v2/kind:llm-agent',
    ],
  ],
  [
    'claude stream',
    t([
      'claude',
      '-p',
      'Fix the failing test in src/app.ts',
      '--output-format',
      'stream-json',
      '--verbose',
      '--model',
      'sonnet',
    ]),
    [
      'v2/fp:claude -p:60053223a8d058ab',
      'v2/tpl:claude -p:2868f097e7d2e3c4',
      'v2/verb:claude -p',
      'v2/tool:claude',
      'v2/kind:llm-agent',
    ],
  ],
  [
    'codex exec',
    t(['codex', 'exec', '--json', 'Refactor the parser']),
    [
      'v2/fp:codex exec:439cbab4ae9a334c',
      'v2/tpl:codex exec:27152eaa908b5421',
      'v2/verb:codex exec',
      'v2/tool:codex',
      'v2/kind:llm-agent',
    ],
  ],
  [
    'gemini',
    t(['gemini', '-p', 'Explain the build', '-o', 'stream-json']),
    [
      'v2/fp:gemini -p:a416cee0eb2c4ecf',
      'v2/tpl:gemini -p:f6f267c563ad28c4',
      'v2/verb:gemini -p',
      'v2/tool:gemini',
      'v2/kind:llm-agent',
    ],
  ],
  [
    'npm test',
    t(['npm', 'test']),
    [
      'v2/fp:npm test:f0464a6c6103bf22',
      'v2/tpl:npm test:328e123c63857fd8',
      'v2/verb:npm test',
      'v2/tool:npm',
      'v2/kind:test',
    ],
  ],
  [
    'cargo build',
    t(['cargo', 'build', '--release']),
    [
      'v2/fp:cargo build:ae8313b962760f9d',
      'v2/tpl:cargo build:41b46c923a09a351',
      'v2/verb:cargo build',
      'v2/tool:cargo',
      'v2/kind:build',
    ],
  ],
  [
    'pytest -k',
    t(['pytest', '-k', 'test_login', '-x']),
    [
      'v2/fp:pytest:c32917b0215c45fa',
      'v2/tpl:pytest:cffc448a85c678eb',
      'v2/verb:pytest',
      'v2/tool:pytest',
      'v2/kind:test',
    ],
  ],
  [
    'make -j8',
    t(['make', '-j8']),
    [
      'v2/fp:make:848672d1a041d8c1',
      'v2/tpl:make:deca40663da89ed0',
      'v2/verb:make',
      'v2/tool:make',
      'v2/kind:build',
    ],
  ],
  [
    'timeout claude',
    t(['timeout', '600', 'claude', '-p', 'Write a 5000 word story about a lighthouse']),
    [
      'v2/fp:claude -p:42a8583a7ca809ec',
      'v2/tpl:claude -p:65500880cb097d93',
      'v2/verb:claude -p',
      'v2/tool:claude',
      'v2/kind:llm-agent',
    ],
  ],
  [
    'npx claude',
    t(['npx', '@anthropic-ai/claude-code', '-p', 'Write a 5000 word story about a lighthouse']),
    [
      'v2/fp:claude -p:42a8583a7ca809ec',
      'v2/tpl:claude -p:65500880cb097d93',
      'v2/verb:claude -p',
      'v2/tool:claude',
      'v2/kind:llm-agent',
    ],
  ],
  [
    'sudo gemini',
    t(['sudo', '-u', 'ci', 'gemini', '-p', 'Explain the build', '-o', 'stream-json']),
    [
      'v2/fp:gemini -p:a416cee0eb2c4ecf',
      'v2/tpl:gemini -p:f6f267c563ad28c4',
      'v2/verb:gemini -p',
      'v2/tool:gemini',
      'v2/kind:llm-agent',
    ],
  ],
  [
    'nice codex',
    t(['nice', '-n', '10', 'codex', 'exec', '--json', 'Refactor the parser']),
    [
      'v2/fp:codex exec:439cbab4ae9a334c',
      'v2/tpl:codex exec:27152eaa908b5421',
      'v2/verb:codex exec',
      'v2/tool:codex',
      'v2/kind:llm-agent',
    ],
  ],
  [
    'shell line',
    t(['cd web && npm ci && npm run build'], true),
    [
      'v2/fp:npm run build:2c656b5ee4dec51d',
      'v2/tpl:npm run build:0148e48474f3e815',
      'v2/verb:npm run build',
      'v2/tool:npm',
      'v2/kind:build',
    ],
  ],
  [
    'fake agent',
    t([
      'cc-stress-fake-agent',
      '-p',
      'Say hello',
      '--output-format',
      'stream-json',
      '--verbose',
      '--fake-duration',
      '1s',
    ]),
    [
      'v2/sim/fp:fake-agent -p:108cefeef46dda1d',
      'v2/sim/tpl:fake-agent -p:29c1e2c053a6b69f',
      'v2/sim/verb:fake-agent -p',
      'v2/sim/tool:fake-agent',
      'v2/sim/kind:llm-agent',
    ],
  ],
];

describe('class keys are pinned', () => {
  it('pins at least ten realistic commands', () => {
    expect(PINNED.length).toBeGreaterThanOrEqual(10);
  });

  it.each(PINNED)('%s keeps its keys', (_name, input, keys) => {
    expect(classify(input, []).levels.map((l) => l.key)).toEqual(keys);
  });

  it('gives every key the current classifier version, which these pins were made with', () => {
    expect(CLASSIFIER_VERSION).toBe(2);
    for (const [, input] of PINNED) {
      for (const level of classify(input, []).levels) expect(isCurrentClassKey(level.key)).toBe(true);
    }
    expect(isCurrentClassKey('kind:llm-agent')).toBe(false);
  });
});
