import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Readable, type Writable } from 'node:stream';
import { z } from 'zod';
import { HistoryError } from './errors.js';
import { runRecordSchema } from './records.js';
import type { HistoryStore, RunRecord } from './types.js';

/**
 * History as JSON lines, one `{classKey, ...RunRecord}` per line: the format of
 * `cc-stress history export|import`, the same for every store.
 */

const lineSchema = runRecordSchema.extend({ classKey: z.string().min(1) });

/** Records written at once while importing; a remote store gains from a few in flight. */
const IMPORT_CONCURRENCY = 16;

export interface HistoryLine {
  classKey: string;
  record: RunRecord;
}

/** Every run of every class, most recently used classes first, each class newest run first. */
export async function* exportLines(store: HistoryStore): AsyncGenerator<string> {
  for (const { classKey } of await store.classes()) {
    for (const record of await store.recent(classKey)) {
      yield JSON.stringify({ classKey, ...record });
    }
  }
}

/** Writes the export to a stream, respecting backpressure, and leaves it open; returns the number of runs. */
export async function exportHistory(
  store: HistoryStore,
  out: Writable | NodeJS.WritableStream,
): Promise<number> {
  let records = 0;
  for await (const line of exportLines(store)) {
    records += 1;
    if (!out.write(`${line}\n`)) await once(out as Writable, 'drain');
  }
  return records;
}

/** One line of an export; blank lines give null. Errors name `source:line` and the field. */
export function parseHistoryLine(text: string, lineNumber: number, source: string): HistoryLine | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HistoryError(`${source}:${lineNumber}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = lineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : 'line';
    throw new HistoryError(`${source}:${lineNumber}: ${field}: ${issue.message}`);
  }
  const { classKey, ...record } = parsed.data;
  return { classKey, record };
}

function linesOf(
  input: Readable | AsyncIterable<string> | Iterable<string>,
): AsyncIterable<string> | Iterable<string> {
  return input instanceof Readable ? createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }) : input;
}

/**
 * Reads an export (a byte stream such as a file, or lines) into the store; returns the number of runs.
 * `source` names the input in errors. Stores de-duplicate by runId, so importing a file twice, or again
 * after fixing the line an error pointed at, adds nothing twice.
 */
export async function importHistory(
  store: HistoryStore,
  input: Readable | AsyncIterable<string> | Iterable<string>,
  source: string,
): Promise<number> {
  let records = 0;
  let lineNumber = 0;
  let inFlight: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  const settle = async (): Promise<void> => {
    await Promise.all(inFlight);
    inFlight = [];
    if (failure !== undefined) throw failure.error;
  };
  try {
    for await (const text of linesOf(input)) {
      lineNumber += 1;
      const line = parseHistoryLine(text, lineNumber, source);
      if (line === null) continue;
      records += 1;
      inFlight.push(
        store.record([line.classKey], line.record).catch((error: unknown) => {
          failure ??= { error };
        }),
      );
      if (inFlight.length >= IMPORT_CONCURRENCY) await settle();
    }
  } finally {
    // Writes already started finish before an error (a bad line) is reported.
    await Promise.all(inFlight);
  }
  await settle();
  return records;
}
