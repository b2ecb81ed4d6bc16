import { describe, expect, it } from 'vitest';
import { realCliEnv } from './cli-env.js';

describe('the real CLIs’ environment', () => {
  it('keeps the caller’s proxies and vendor settings from sending a CLI anywhere but the fake API', () => {
    const env = realCliEnv(
      {
        PATH: '/usr/bin',
        LANG: 'C.UTF-8',
        HTTPS_PROXY: 'http://proxy.example:3128',
        http_proxy: 'http://proxy.example:3128',
        ALL_PROXY: 'socks5://proxy.example:1080',
        ANTHROPIC_BASE_URL: 'https://api.anthropic.com',
        ANTHROPIC_MODEL: 'some-model',
        OPENAI_API_KEY: 'sk-real',
        GEMINI_API_KEY: 'real-key',
        GOOGLE_CLOUD_PROJECT: 'a-project',
        CLAUDE_CONFIG_DIR: '/root/.claude',
        CC_STRESS_REDIS_URL: 'redis://127.0.0.1:6379',
      },
      '/tmp/work',
      { ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000', ANTHROPIC_API_KEY: 'fake' },
    );
    expect(Object.keys(env).filter((name) => /proxy$/i.test(name) && !/^no_proxy$/i.test(name))).toEqual([]);
    expect(env.NO_PROXY).toContain('127.0.0.1');
    expect(env).toMatchObject({
      LANG: 'C.UTF-8',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000',
      ANTHROPIC_API_KEY: 'fake',
    });
    for (const name of [
      'ANTHROPIC_MODEL',
      'OPENAI_API_KEY',
      'GEMINI_API_KEY',
      'GOOGLE_CLOUD_PROJECT',
      'CLAUDE_CONFIG_DIR',
      'CC_STRESS_REDIS_URL',
    ]) {
      expect(env[name], name).toBeUndefined();
    }
    expect(env.PATH).toMatch(/:\/usr\/bin$/);
  });
});
