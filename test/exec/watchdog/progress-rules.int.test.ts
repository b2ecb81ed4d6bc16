import { afterAll, describe, expect, it } from 'vitest';
import { procSupported } from '../../../src/exec/process/proc-fs.js';
import type { ExecRequest, LiveStatus } from '../../../src/exec/types.js';
import { DEFAULT_PROGRESS_RULES } from '../../../src/exec/watchdog/progress-rules.js';
import { executor, plan, request, scratchDir } from '../support/local-tasks.js';

/**
 * What counts as progress, on real processes. The allowances are shortened so that each rule shows within
 * seconds; the stall limits stay long enough for a loaded machine to start node and schedule its timers.
 */
const dir = scratchDir();
const local = executor({
  progress: { ...DEFAULT_PROGRESS_RULES, repeatMs: 1000, keepAliveMs: 1000, windowMs: 1000 },
});
const patient = executor({ progress: { ...DEFAULT_PROGRESS_RULES, windowMs: 1000 } });
afterAll(async () => {
  await local.close();
  await patient.close();
});

function node(script: string, stallMs: number, overrides: Partial<ExecRequest> = {}): ExecRequest {
  return request(dir, [process.execPath, '-e', script], {
    plan: plan({ maxMs: 60_000, stallMs }),
    ...overrides,
  });
}

describe.concurrent('repeated output', () => {
  it('stall-kills a process printing the same line every 0.3 s, saying it only repeated itself', async () => {
    const result = await local.run(
      node(`setInterval(() => console.log('waiting for the server...'), 300);`, 2500),
    );
    expect(result.termination).toBe('stall');
    expect(result.detail).toMatch(
      /^only repeated output for \d+\.\ds \(stall limit 2\.5s, from test stall\)/,
    );
    expect(result.durationMs).toBeLessThan(15_000);
    expect(result.stdoutBytes).toBeGreaterThan(5 * 26);
  });

  it('stall-kills a spinner of dots printed without a newline', async () => {
    const result = await local.run(node(`setInterval(() => process.stdout.write('.'), 300);`, 2500));
    expect(result.termination).toBe('stall');
    expect(result.detail).toMatch(/^only repeated output for /);
  });

  it('stall-kills a progress bar that redraws with \\r and only its counter moving', async () => {
    const result = await local.run(
      node(
        `let n = 0; setInterval(() => process.stdout.write('\\r[' + '#'.repeat(n % 20) + '] ' + (n++ % 100) + '% waiting'), 300);`,
        2500,
      ),
    );
    expect(result.termination).toBe('stall');
    expect(result.detail).toMatch(/^only repeated output for /);
  });

  it('does not stall a process that prints something new every 0.3 s', async () => {
    const words = [
      'alpha',
      'bravo',
      'charlie',
      'delta',
      'echo',
      'foxtrot',
      'golf',
      'hotel',
      'india',
      'juliet',
    ];
    const result = await local.run(
      node(
        `const words = ${JSON.stringify(words)}; let i = 0;
         const t = setInterval(() => { console.log('compiling ' + words[i]); if (++i === words.length * 2) clearInterval(t); }, 300);`,
        2500,
      ),
    );
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
  });
});

describe.runIf(procSupported()).concurrent('CPU and I/O', () => {
  const quiet: ExecRequest['plan'] = {
    ...plan({ maxMs: 60_000, stallMs: 1500 }),
    quietMs: 3000,
    quietSource: { origin: 'learned', detail: 'test quiet' },
  };

  it('stall-kills an idle event loop that writes 8 bytes a second and spends a CPU blip', async () => {
    const result = await local.run(
      node(
        `const fs = require('node:fs');
         const fd = fs.openSync(${JSON.stringify(`${dir}/wakeups`)}, 'w');
         const devnull = fs.openSync('/dev/null', 'r');
         const buffer = Buffer.alloc(64);
         console.log('started');
         setInterval(() => {
           fs.writeSync(fd, '12345678');
           fs.readSync(devnull, buffer);
           const end = performance.now() + 3;
           while (performance.now() < end) {}
         }, 1000);`,
        2500,
      ),
    );
    expect(result.termination).toBe('stall');
    expect(result.detail).toMatch(
      /^no output, CPU or I\/O for \d+\.\ds \(stall limit 2\.5s, from test stall\); last progress: \w+ at \d+\.\ds; CPU and I\/O stayed below 5% of a core and 128 B\/s over 1s \(idle, not counted\)$/,
    );
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('does not stall a silent process that keeps a CPU busy', async () => {
    const result = await local.run(node(`const end = Date.now() + 4000; while (Date.now() < end) {}`, 1500));
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
    expect(result.stdoutBytes).toBe(0);
  });

  it('ends a busy loop at its quiet limit, while its stall clock never runs, and records the quiet stretch', async () => {
    const result = await local.run(
      request(dir, [process.execPath, '-e', `console.log('working'); for (;;) {}`], { plan: quiet }),
    );
    expect(result.termination).toBe('stall');
    // Its one line can be sampled as I/O before the runner has read it, on a loaded machine.
    expect(result.detail).toMatch(
      /^nothing new \(no new output or agent work\) for \d+\.\ds, only CPU( and I\/O)? \(quiet limit 3s, from test quiet\)$/,
    );
    expect(result.longestQuietMs).toBeGreaterThanOrEqual(3000);
    expect(result.longestSilenceMs).toBeLessThan(1500);
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('lets a busy process that prints something new within its quiet limit finish', async () => {
    const result = await local.run(
      request(
        dir,
        [
          process.execPath,
          '-e',
          // Lines that differ only in numbers would be repeats: each names a different stage.
          `for (const stage of ['parse', 'check', 'lower', 'optimise', 'emit', 'link']) { console.log(stage); const end = Date.now() + 1000; while (Date.now() < end) {} }`,
        ],
        { plan: quiet },
      ),
    );
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
    expect(result.longestQuietMs).toBeLessThan(3000);
  });

  it('does not stall a silent process writing megabytes, and names it as I/O', async () => {
    const statuses: LiveStatus[] = [];
    const result = await local.run(
      node(
        `const fs = require('node:fs');
         const fd = fs.openSync(${JSON.stringify(`${dir}/big`)}, 'w');
         const chunk = Buffer.alloc(1 << 20, 120);
         let n = 0;
         const t = setInterval(() => { fs.writeSync(fd, chunk, 0, chunk.length, 0); if (++n === 20) clearInterval(t); }, 200);`,
        1500,
      ),
      { onStatus: (status) => statuses.push(status) },
    );
    expect(result).toMatchObject({ termination: 'exit', exitCode: 0 });
    expect(statuses.map((s) => s.lastProgress)).toContain('io');
  });
});

describe.concurrent('agent events', () => {
  const sid = '"session_id":"5f1c"';
  const init = `{"type":"system","subtype":"init","cwd":"/w","tools":["Bash"],${sid}}`;
  const ping = `{"type":"stream_event","event":{"type":"ping"},${sid},"uuid":"UUID"}`;
  const toolUse = `{"type":"assistant","message":{"id":"msg_1","role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"make"}}]},${sid}}`;
  const toolResult = `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]},${sid}}`;
  const result = `{"type":"result","subtype":"success","is_error":false,"result":"done",${sid}}`;

  it('stall-kills an agent whose only output is the API keep-alive pings, naming its last work', async () => {
    const outcome = await local.run(
      node(
        `console.log(${JSON.stringify(init)});
         setInterval(() => console.log(${JSON.stringify(ping)}.replace('UUID', crypto.randomUUID())), 300);`,
        2500,
        { agent: 'claude' },
      ),
    );
    expect(outcome.termination).toBe('stall');
    // The last real progress is the init line, or node starting up (loading OpenSSL for randomUUID).
    expect(outcome.detail).toMatch(
      /^only keep-alives for \d+\.\ds \(stall limit 2\.5s, from test stall\); last progress: (init|cpu|io) at /,
    );
  });

  it('lets a silent tool process run past the stall limit, within the keep-alive allowance', async () => {
    const outcome = await patient.run(
      node(
        `console.log(${JSON.stringify(init)}); console.log(${JSON.stringify(toolUse)});
         require('node:child_process').spawn('sleep', ['4']).on('exit', () => {
           console.log(${JSON.stringify(toolResult)}); console.log(${JSON.stringify(result)});
         });`,
        1500,
        { agent: 'claude' },
      ),
    );
    expect(outcome).toMatchObject({ termination: 'exit', exitCode: 0 });
  });

  it.runIf(procSupported())(
    'stall-kills an agent hung with a tool call open but no tool process, at the stall limit',
    async () => {
      const outcome = await patient.run(
        node(
          `console.log(${JSON.stringify(init)}); console.log(${JSON.stringify(toolUse)}); setInterval(() => {}, 1000);`,
          1500,
          { agent: 'claude' },
        ),
      );
      expect(outcome.termination).toBe('stall');
      expect(outcome.detail).toMatch(/^no output, CPU or I\/O for \d+\.\ds \(stall limit 1\.5s/);
      expect(outcome.durationMs).toBeLessThan(15_000);
    },
  );

  it('stall-kills a tool process silent for longer than the allowance, naming the tool', async () => {
    const outcome = await local.run(
      node(
        `console.log(${JSON.stringify(init)}); console.log(${JSON.stringify(toolUse)});
         require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });`,
        1500,
        { agent: 'claude' },
      ),
    );
    expect(outcome.termination).toBe('stall');
    expect(outcome.detail).toMatch(/^only an open tool call \(Bash\) for \d+\.\ds \(stall limit 1\.5s/);
    expect(outcome.detail).toMatch(/last progress: (tool_use \(Bash\)|cpu|io) at /);
  });
});
