import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { quoteArg } from '../../src/suite/command.js';
import { parseSuite, SuiteError } from '../../src/suite/index.js';

const FILE = 'suites/generated.yaml';

const taskId = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,15}$/);
const varName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const word = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,7}$/);
/** Any text a user might put in an argument, except a `${` (which would be a reference). */
const freeText = fc.string({ maxLength: 12 }).filter((s) => !s.includes('${') && !s.includes('\u0000'));
const scalar = fc.oneof(word, fc.integer({ min: -1000, max: 1000 }));

interface GeneratedTask {
  id: string;
  /** Each element is literal text or a reference to a name that is defined somewhere. */
  argv: Array<{ text: string } | { ref: string }>;
  asString: boolean;
  matrix: Array<[string, Array<string | number>]>;
  repeat: number | undefined;
}

interface Generated {
  vars: Array<[string, string | number]>;
  env: Record<string, string>;
  tasks: GeneratedTask[];
  repeat: number;
}

const generated: fc.Arbitrary<Generated> = fc
  .record({
    vars: fc.uniqueArray(fc.tuple(varName, scalar), { selector: ([name]) => name, maxLength: 4 }),
    env: fc.dictionary(varName, word, { maxKeys: 3 }),
    ids: fc.uniqueArray(taskId, { minLength: 1, maxLength: 5 }),
    repeat: fc.integer({ min: 1, max: 2 }),
  })
  .chain(({ vars, env, ids, repeat }) => {
    const task = (id: string): fc.Arbitrary<GeneratedTask> =>
      fc
        .uniqueArray(
          fc.tuple(varName, fc.uniqueArray(scalar, { minLength: 1, maxLength: 3, selector: String })),
          { selector: ([name]) => name, maxLength: 2 },
        )
        .chain((matrix) => {
          const names = [...vars.map(([name]) => name), ...Object.keys(env), ...matrix.map(([name]) => name)];
          const arg =
            names.length === 0
              ? freeText.map((text) => ({ text }))
              : fc.oneof(
                  freeText.map((text) => ({ text })),
                  fc.constantFrom(...names).map((ref) => ({ ref })),
                );
          return fc.record({
            id: fc.constant(id),
            argv: fc
              .tuple(word, fc.array(arg, { maxLength: 4 }))
              .map(([program, rest]) => [{ text: program }, ...rest]),
            asString: fc.boolean(),
            matrix: fc.constant(matrix),
            repeat: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
          });
        });
    return fc.record({
      vars: fc.constant(vars),
      env: fc.constant(env),
      tasks: fc.tuple(...ids.map(task)),
      repeat: fc.constant(repeat),
    });
  });

function argText(arg: { text: string } | { ref: string }): string {
  return 'ref' in arg ? `\${${arg.ref}}` : arg.text;
}

/** As a careful user writes a command string: text quoted as needed, references bare or in double quotes. */
function commandLine(argv: GeneratedTask['argv']): string {
  return argv
    .map((arg) =>
      'ref' in arg ? (arg.ref.length % 2 === 0 ? `"\${${arg.ref}}"` : argText(arg)) : quoteArg(arg.text),
    )
    .join(' ');
}

/** The suite as a user would write it. */
function toYaml(g: Generated): string {
  const doc = {
    name: 'generated',
    ...(g.vars.length > 0 ? { vars: Object.fromEntries(g.vars) } : {}),
    tasks: g.tasks.map((t) => {
      return {
        id: t.id,
        command: t.asString ? commandLine(t.argv) : t.argv.map(argText),
        ...(t.matrix.length > 0 ? { matrix: Object.fromEntries(t.matrix) } : {}),
        ...(t.repeat === undefined ? {} : { repeat: t.repeat }),
      };
    }),
  };
  return stringify(doc);
}

function combinationsOf(matrix: GeneratedTask['matrix']): Array<Map<string, string>> {
  let result = [new Map<string, string>()];
  for (const [name, values] of matrix) {
    result = result.flatMap((m) => values.map((v) => new Map([...m, [name, String(v)]])));
  }
  return result;
}

describe('generated valid suites', () => {
  it('load, expand to the expected tasks, and give unique ids', () => {
    fc.assert(
      fc.property(generated, (g) => {
        const suite = parseSuite(toYaml(g), FILE, { env: g.env, repeat: g.repeat });
        const vars = new Map(g.vars.map(([name, value]) => [name, String(value)]));
        const expected = g.tasks.flatMap((t) =>
          combinationsOf(t.matrix).flatMap((values) => {
            const argv = t.argv.map((arg) =>
              'ref' in arg ? (values.get(arg.ref) ?? vars.get(arg.ref) ?? g.env[arg.ref]!) : arg.text,
            );
            return Array.from({ length: (t.repeat ?? 1) * g.repeat }, () => ({ baseId: t.id, argv }));
          }),
        );
        expect(suite.tasks.map((t) => ({ baseId: t.baseId, argv: t.argv }))).toEqual(expected);
        expect(new Set(suite.tasks.map((t) => t.id)).size).toBe(suite.tasks.length);
      }),
      { numRuns: 300 },
    );
  });
});

type Mutation = {
  /** Changes the written suite (a plain object) in place. */
  apply(doc: Record<string, unknown>, task: Record<string, unknown>): void;
  /** Text the field in the message must contain. */
  field: (taskIndex: number) => string;
  /** Text that must be on the line the error points at. */
  onLine: string;
};

const unknownKey = fc.stringMatching(/^zz[a-z_]{0,8}$/);

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  unknownKey.map(
    (key): Mutation => ({
      apply: (_doc, task) => {
        task[key] = 1;
      },
      field: (t) => `tasks[${t}].${key}`,
      onLine: `${key}:`,
    }),
  ),
  unknownKey.map(
    (key): Mutation => ({
      apply: (doc) => {
        doc[key] = 'x';
      },
      field: () => key,
      onLine: `${key}:`,
    }),
  ),
  unknownKey.map(
    (key): Mutation => ({
      apply: (_doc, task) => {
        task.timeout = { max: 10, [key]: 1 };
      },
      field: (t) => `tasks[${t}].timeout.${key}`,
      onLine: `${key}:`,
    }),
  ),
  fc.constantFrom('abc', -1, 0, true).map(
    (value): Mutation => ({
      apply: (_doc, task) => {
        task.timeout = { stall: value };
      },
      field: (t) => `tasks[${t}].timeout.stall`,
      onLine: 'stall:',
    }),
  ),
  fc.constantFrom(11, -1, 2.5, 'three').map(
    (value): Mutation => ({
      apply: (_doc, task) => {
        task.retries = value;
      },
      field: (t) => `tasks[${t}].retries`,
      onLine: 'retries:',
    }),
  ),
  fc.constantFrom(0, 10_001, 'many').map(
    (value): Mutation => ({
      apply: (_doc, task) => {
        task.repeat = value;
      },
      field: (t) => `tasks[${t}].repeat`,
      onLine: 'repeat:',
    }),
  ),
  fc.constantFrom(0, 1001, 1.5).map(
    (value): Mutation => ({
      apply: (doc) => {
        doc.defaults = { concurrency: value };
      },
      field: () => 'defaults.concurrency',
      onLine: 'concurrency:',
    }),
  ),
  fc.constantFrom(42, true, null).map(
    (value): Mutation => ({
      apply: (_doc, task) => {
        task.command = value;
      },
      field: (t) => `tasks[${t}].command`,
      onLine: 'command:',
    }),
  ),
  fc.constantFrom('../up', 'a/b', 'new\nline', '', '.hidden', 'x'.repeat(101), 7).map(
    (value): Mutation => ({
      apply: (_doc, task) => {
        task.id = value;
      },
      field: (t) => `tasks[${t}].id`,
      onLine: 'id:',
    }),
  ),
  fc.stringMatching(/^UNDEFINED_[A-Z]{1,6}$/).map(
    (name): Mutation => ({
      apply: (_doc, task) => {
        task.command = [`prog`, `--x=\${${name}}`];
      },
      field: (t) => `tasks[${t}].command[1]`,
      onLine: `\${${name}}`,
    }),
  ),
);

describe('generated invalid suites', () => {
  it('throw a SuiteError naming the field and the line where it is written', () => {
    fc.assert(
      fc.property(generated, mutations, fc.nat(), (g, mutation, pick) => {
        const doc = toDoc(g);
        const index = pick % doc.tasks.length;
        mutation.apply(doc, doc.tasks[index]!);
        const text = stringify(doc);
        let error: unknown;
        try {
          parseSuite(text, FILE, { env: g.env });
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(SuiteError);
        const suiteError = error as SuiteError;
        expect(suiteError.message).toMatch(new RegExp(`^${FILE}:\\d+:\\d+: `));
        expect(suiteError.field).toBe(mutation.field(index));
        const line = text.split('\n')[suiteError.line! - 1];
        expect(line).toContain(mutation.onLine);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse a duplicate id, pointing at the second one', () => {
    fc.assert(
      fc.property(
        generated.filter((g) => g.tasks.length >= 2),
        fc.nat(),
        (g, pick) => {
          const doc = toDoc(g);
          const target = 1 + (pick % (doc.tasks.length - 1));
          doc.tasks[target]!.id = doc.tasks[0]!.id;
          const text = stringify(doc);
          let error: unknown;
          try {
            parseSuite(text, FILE, { env: g.env });
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(SuiteError);
          expect((error as SuiteError).field).toBe(`tasks[${target}].id`);
          expect((error as SuiteError).message).toContain(`duplicate id "${String(doc.tasks[0]!.id)}"`);
        },
      ),
      { numRuns: 100 },
    );
  });
});

type Doc = { tasks: Record<string, unknown>[] } & Record<string, unknown>;

/** The written suite as plain data, read back from the YAML the valid-suite test loads. */
function toDoc(g: Generated): Doc {
  return parse(toYaml(g)) as Doc;
}
