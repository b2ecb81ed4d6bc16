import type { FakeApi } from './server.js';

/**
 * What each fake-api/<name>.ts exports as `fakeApi`, so the harness can start any set of APIs by name
 * without a central list: the API itself, and the environment that points its CLI at it.
 */
export interface FakeApiModule {
  create(): FakeApi;
  /** Environment variables that send the CLI's requests to the fake at `url` (http://127.0.0.1:PORT). */
  cliEnv(url: string): Record<string, string>;
}

export async function loadFakeApi(name: string): Promise<FakeApiModule> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad fake API name "${name}"`);
  const module = (await import(`./${name}.js`)) as { fakeApi?: FakeApiModule };
  if (module.fakeApi === undefined) throw new Error(`fake-api/${name}.ts exports no fakeApi`);
  return module.fakeApi;
}
