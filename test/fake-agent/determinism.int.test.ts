import { describe, expect, it } from 'vitest';
import { runFakeAgent } from './support.js';

/** What legitimately differs between two runs of the same script: wall-clock measurements. */
function stable(stdout: string): string {
  return stdout
    .replace(
      /"(duration_ms|duration_api_ms|ttft_ms|ttft_stream_ms|time_to_request_ms|first_content_frame_ms)":\d+/g,
      '"$1":0',
    )
    .replace(/"total_cost_usd":[\d.e-]+/g, '"total_cost_usd":0')
    .replace(/"timestamp":"[^"]+"/g, '"timestamp":""');
}

const script = [
  '--fake-duration',
  '300ms',
  '--fake-turns',
  '4',
  '--fake-output-bytes',
  '3000',
  '--fake-jitter',
  '0.4',
];

describe.concurrent('fake agent determinism', () => {
  it.each(['claude', 'codex', 'gemini'])('the same seed plays the same %s session', async (format) => {
    const args = [
      '-p',
      'x',
      '--output-format',
      'stream-json',
      '--verbose',
      '--json',
      '--fake-format',
      format,
    ];
    const [a, b, other] = await Promise.all([
      runFakeAgent([...args, ...script, '--fake-seed', '42']),
      runFakeAgent([...args, ...script, '--fake-seed', '42']),
      runFakeAgent([...args, ...script, '--fake-seed', '43']),
    ]);
    expect(a.exitCode).toBe(0);
    expect(stable(a.stdout)).toBe(stable(b.stdout));
    expect(stable(a.stdout)).not.toBe(stable(other.stdout));
  });
});
