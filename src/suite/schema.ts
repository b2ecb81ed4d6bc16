// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the suite variable syntax, not a template slip
import { z } from 'zod';

/**
 * The suite file as written (snake_case, before defaults, variables and expansion).
 * Every message says what is allowed, because it is shown to the user after `field:`;
 * the offending value is appended by the caller.
 */

const MAX_SECONDS = 7 * 24 * 3600;

/** A strict mapping whose unknown-key error lists the keys that are allowed. */
function mapping<Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}; allowed: ${allowed}`;
      }
      if (issue.code === 'invalid_type') return `must be a mapping (${what})`;
      return undefined;
    },
  });
}

function integer(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

const seconds = z
  .number({ error: 'must be a positive number of seconds' })
  .positive({ error: 'must be a positive number of seconds' })
  .max(MAX_SECONDS, { error: `must be at most ${MAX_SECONDS} seconds (7 days)` });

// Control characters would break one-line output, logs and reports; nothing legitimate needs them here.
const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;

function line(what: string, max = 200) {
  const message = `must be ${what}: a single line of 1 to ${max} characters`;
  return z
    .string({ error: message })
    .min(1, { error: message })
    .max(max, { error: message })
    .regex(SINGLE_LINE, { error: message });
}

const NO_NUL = /^[^\u0000]*$/;

function text(what: string) {
  const message = `must be ${what}`;
  return z.string({ error: message }).regex(NO_NUL, { error: `${message} without NUL characters` });
}

/** Ids end up in file names, report keys and Redis keys, so they are deliberately plain. */
export const TASK_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;
const TASK_ID_RULE = 'must be 1 to 100 characters of A-Z a-z 0-9 . _ - (not starting with . or -)';
const taskId = z.string({ error: TASK_ID_RULE }).regex(TASK_ID, { error: TASK_ID_RULE });

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const variableName = z.string().regex(VARIABLE_NAME, {
  error: 'must be a variable name: letters, digits and _, not starting with a digit',
});

const envName = z.string().regex(VARIABLE_NAME, {
  error: 'must be an environment variable name: letters, digits and _, not starting with a digit',
});
const envValue = z.union([text('a string'), z.number(), z.boolean()], {
  error: 'must be a string, a number or a boolean',
});
const env = z
  .record(envName, envValue, { error: 'must be a mapping of NAME: value' })
  .meta({ description: 'Environment variables added to the task (values may use ${VAR}).' });

const agent = z
  .enum(['claude', 'codex', 'gemini', 'none', 'auto'], {
    error: 'must be one of claude, codex, gemini, none, auto',
  })
  .meta({
    description: 'How output is parsed; auto detects claude, codex and gemini from the program name.',
  });

const timeout = mapping(
  {
    max: seconds.optional().meta({ description: 'Fixed wall-clock limit in seconds.' }),
    stall: seconds.optional().meta({ description: 'Fixed no-progress limit in seconds (at most max).' }),
  },
  'max and stall in seconds',
).meta({ description: 'Limits the author insists on; missing ones are computed from history.' });

const cwd = text('a folder path').min(1, { error: 'must be a folder path' });

const oneOrMore = (what: string) =>
  z.union([text(what), z.array(text(what), { error: `must be ${what} or a list of them` })], {
    error: `must be ${what} or a list of them`,
  });

const stream = mapping(
  {
    contains: oneOrMore('a string')
      .optional()
      .meta({ description: 'Every string must appear in some line.' }),
    not_contains: oneOrMore('a string').optional().meta({ description: 'No line may contain any of these.' }),
    matches: oneOrMore('a regular expression')
      .optional()
      .meta({ description: 'Every regular expression must match some line.' }),
  },
  'contains, not_contains, matches',
);

const exitCode = integer(0, 255);
const expect = mapping(
  {
    exit_code: z
      .union(
        [
          exitCode,
          z
            .array(exitCode, { error: 'must be an exit code or a list of them' })
            .min(1, { error: 'must be a non-empty list of exit codes' }),
        ],
        {
          error: 'must be an exit code (0 to 255) or a non-empty list of them',
        },
      )
      .optional()
      .meta({ description: 'Accepted exit codes (default 0).' }),
    stdout: stream.optional(),
    stderr: stream.optional(),
    min_output_bytes: z
      .number({ error: 'must be a whole number of bytes (0 or more)' })
      .int({ error: 'must be a whole number of bytes (0 or more)' })
      .min(0, { error: 'must be a whole number of bytes (0 or more)' })
      .optional()
      .meta({ description: 'Minimum bytes on stdout and stderr together.' }),
    result: z
      .record(z.string(), z.unknown(), { error: 'must be a mapping of field: expected value' })
      .nullable()
      .optional()
      .meta({ description: "Fields the agent's final result event must equal, e.g. { is_error: false }." }),
  },
  'exit_code, stdout, stderr, min_output_bytes, result',
);

const matrixValue = z.union([line('a matrix value', 100), z.number(), z.boolean()], {
  error: 'must be a string, a number or a boolean',
});
const matrix = z
  .record(
    variableName,
    z
      .array(matrixValue, { error: 'must be a non-empty list of values' })
      .min(1, { error: 'must be a non-empty list of values' }),
    { error: 'must be a mapping of variable: [values...]' },
  )
  .meta({ description: 'Runs the task once per combination of values; each key is a variable.' });

const command = z
  .union(
    [
      text('a command line').min(1, { error: 'must not be empty' }),
      z
        .array(text('a string'), { error: 'must be a command string or an argv list of strings' })
        .min(1, { error: 'must be a non-empty argv list' }),
    ],
    { error: 'must be a command string or an argv list of strings' },
  )
  .meta({
    description:
      'An argv list, or a string split into arguments like a shell would but run without one unless shell: true.',
  });

export const taskSchema = mapping(
  {
    id: taskId.meta({ description: 'Unique id: letters, digits, ".", "_" and "-".' }),
    name: line('a name').optional(),
    command,
    shell: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .meta({ description: 'Run a string command with /bin/sh -c (default false).' }),
    category: line('a category', 100).optional(),
    complexity: line('a complexity', 100).optional(),
    agent: agent.optional(),
    repeat: integer(1, 10_000).optional().meta({ description: 'Run the task this many times.' }),
    env: env.optional(),
    cwd: cwd.optional().meta({ description: "Working folder, relative to the suite file's folder." }),
    retries: integer(0, 10).optional(),
    timeout: timeout.optional(),
    expect: expect.optional(),
    matrix: matrix.optional(),
  },
  'a task with id and command',
);

export const defaultsSchema = mapping(
  {
    concurrency: integer(1, 1000).optional().meta({ description: 'Tasks run at once (default 4).' }),
    retries: integer(0, 10).optional().meta({ description: 'Retries of a failed task (default 0).' }),
    target: z
      .number({ error: 'must be a number from 0 to 1' })
      .min(0, { error: 'must be a number from 0 to 1' })
      .max(1, { error: 'must be a number from 0 to 1' })
      .optional()
      .meta({ description: 'Success rate needed to pass (default 0.9).' }),
    env: env.optional(),
    cwd: cwd.optional(),
    shell: z.boolean({ error: 'must be true or false' }).optional(),
    agent: agent.optional(),
    timeout: timeout.optional(),
  },
  'concurrency, retries, target, env, cwd, shell, agent, timeout',
);

export const suiteSchema = mapping(
  {
    name: line('the suite name'),
    description: text('a string').optional(),
    vars: z
      .record(
        variableName,
        z.union([text('a string'), z.number(), z.boolean()], {
          error: 'must be a string, a number or a boolean',
        }),
        {
          error: 'must be a mapping of NAME: value',
        },
      )
      .optional()
      .meta({ description: 'Variables for ${NAME} in commands, names, env, cwd and expectations.' }),
    defaults: defaultsSchema.optional(),
    history: z.enum(['shared', 'separate'], { error: 'must be shared or separate' }).optional().meta({
      description:
        'Where runs are learned from and recorded: shared (default) uses the configured history; separate keeps a history file in the report folder (history.db), apart from yours, unless run with --shared-history.',
    }),
    tasks: z
      .array(taskSchema, { error: 'must be a non-empty list of tasks' })
      .min(1, { error: 'must be a non-empty list of tasks' }),
  },
  'a suite with name and tasks',
).meta({ title: 'cc-stress suite', description: 'A stress suite for cc-stress.' });

export type RawSuite = z.infer<typeof suiteSchema>;
export type RawTask = z.infer<typeof taskSchema>;
export type RawDefaults = z.infer<typeof defaultsSchema>;
export type RawTimeout = NonNullable<RawTask['timeout']>;
export type RawExpect = NonNullable<RawTask['expect']>;
export type RawStream = NonNullable<RawExpect['stdout']>;
