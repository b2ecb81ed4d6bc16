import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HistoryError } from './errors.js';

type Db = Database.Database;

/** "ccst": marks the file as ours so a stray database at the same path is never written to. */
const APPLICATION_ID = 0x63637374;

/** How long a writer waits for another process's transaction before giving up. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Migration i takes the schema from version i to i + 1; a new version only ever appends here.
 * Each runs inside one IMMEDIATE transaction together with the user_version bump, so several
 * processes opening an old file at once migrate it exactly once.
 */
const migrations: ReadonlyArray<(db: Db) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE classes (
        id INTEGER PRIMARY KEY,
        class_key TEXT NOT NULL UNIQUE,
        last_at INTEGER NOT NULL
      );
      CREATE INDEX classes_by_last_use ON classes (last_at);
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        class_id INTEGER NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
        run_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        duration_ms REAL NOT NULL,
        longest_silence_ms REAL NOT NULL,
        outcome TEXT NOT NULL,
        UNIQUE (class_id, run_id)
      );
      CREATE INDEX runs_by_class_time ON runs (class_id, at, run_id);
    `);
    db.pragma(`application_id = ${APPLICATION_ID}`);
  },
  (db) => {
    // Records a remote store has not acknowledged yet, per remote store, so that a later run in any
    // process sharing the file can replay them. AUTOINCREMENT: a seq is never reused, so deleting the
    // rows one has replayed can never hit a row another process queued meanwhile.
    db.exec(`
      CREATE TABLE pending_remote (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        target TEXT NOT NULL,
        run_id TEXT NOT NULL,
        class_keys TEXT NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (target, run_id)
      );
      CREATE INDEX pending_remote_by_target ON pending_remote (target, seq);
    `);
  },
  (db) => {
    // The limit in force when a run was cut off; NULL for finished runs and for rows of older versions.
    db.exec('ALTER TABLE runs ADD COLUMN limit_ms REAL');
  },
  (db) => {
    // Provenance: the program a run actually ran (wrappers resolved) and whether it was the simulated
    // agent. NULL on runs recorded before; simulated is 0 or 1.
    db.exec(`
      ALTER TABLE runs ADD COLUMN program TEXT;
      ALTER TABLE runs ADD COLUMN simulated INTEGER;
    `);
  },
  (db) => {
    // The longest stretch with nothing new (the quiet limit's samples); NULL on older rows.
    db.exec('ALTER TABLE runs ADD COLUMN longest_quiet_ms REAL');
  },
];

export const SCHEMA_VERSION = migrations.length;

const fixHint = 'move it away or point history.path (or CC_STRESS_HISTORY) at another file';

/** Turns a SQLite or file-system failure into one line that names the file and what to do. */
export function describeSqliteFailure(path: string, error: unknown): Error {
  if (error instanceof HistoryError) return error;
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
    case 'SQLITE_CORRUPT_INDEX':
    case 'SQLITE_CORRUPT_SEQUENCE':
    case 'SQLITE_CORRUPT_VTAB':
      return new HistoryError(
        `history file ${path} is damaged or not a SQLite database (${reason}); ${fixHint}`,
      );
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
    case 'EACCES':
    case 'EPERM':
    case 'ENOTDIR':
    case 'EROFS':
    case 'EEXIST':
      return new HistoryError(
        `cannot open the history file ${path} (${reason}); check that its folder is writable or ${fixHint}`,
      );
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new HistoryError(
        `history file ${path} stayed locked by another process for over ${BUSY_TIMEOUT_MS / 1000} s (${reason}); retry when the other run is done`,
      );
    case 'SQLITE_FULL':
    case 'ENOSPC':
      return new HistoryError(`history file ${path}: the disk is full (${reason}); free space or ${fixHint}`);
    default:
      if (typeof code === 'string' && code.startsWith('SQLITE_IOERR')) {
        return new HistoryError(`history file ${path}: I/O error (${reason}); check the disk or ${fixHint}`);
      }
      return error instanceof Error ? error : new Error(reason);
  }
}

export interface OpenDatabaseOptions {
  /** May create the file's folder (default true); the CLI allows it only for the default location. */
  createFolder?: boolean;
  /** Told once when a damaged file was moved aside and replaced by a fresh one. */
  onWarning?: (message: string) => void;
}

const DAMAGED = new Set([
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
  'SQLITE_CORRUPT_INDEX',
  'SQLITE_CORRUPT_SEQUENCE',
]);

/**
 * Opens (creating if needed) the history database with the settings every process must share. A damaged
 * file is moved aside (kept for whoever wants to salvage it) and replaced by a fresh one, with one warning:
 * otherwise every record of the run would fail and the run would learn nothing.
 */
export function openHistoryDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  const folder = dirname(path);
  if (!existsSync(folder)) {
    if (options.createFolder === false) {
      throw new HistoryError(
        `the folder of the history file ${path} does not exist; create it or ${fixHint}`,
      );
    }
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw describeSqliteFailure(path, error);
    }
  } else if (!statSync(folder).isDirectory()) {
    throw new HistoryError(`cannot open the history file ${path}: ${folder} is not a folder; ${fixHint}`);
  }
  try {
    return openChecked(path);
  } catch (error) {
    if (!DAMAGED.has((error as { code?: string }).code ?? '')) throw describeSqliteFailure(path, error);
    const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
    }
    options.onWarning?.(
      `history file ${path} was damaged (${(error as Error).message.replace(/\s+/g, ' ')}); moved it to ${aside} and started a fresh one`,
    );
    try {
      return openChecked(path);
    } catch (again) {
      throw describeSqliteFailure(path, again);
    }
  }
}

function openChecked(path: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    // The busy timeout comes first so that switching to WAL waits for a concurrent opener.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL loses nothing when a process dies; only a power cut may drop the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
    // The file is bounded (runs per class x classes), so a full check costs milliseconds; a damaged page
    // found here is handled once instead of failing every record of the run.
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') {
      throw Object.assign(new Error(`quick_check: ${String(check).replace(/\s+/g, ' ')}`), {
        code: 'SQLITE_CORRUPT',
      });
    }
    // A file that opens but cannot be written (read-only file or folder) fails here, not at the first record.
    db.exec('BEGIN IMMEDIATE; ROLLBACK');
    return db;
  } catch (error) {
    db?.close();
    throw error;
  }
}

function migrate(db: Db, path: string): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  checkOwnership(db, path, version());
  if (version() > SCHEMA_VERSION) {
    throw new HistoryError(
      `history file ${path} has schema version ${version()}, newer than this cc-stress understands (${SCHEMA_VERSION}); upgrade cc-stress or ${fixHint}`,
    );
  }
  if (version() === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Re-read under the write lock: another process may have migrated while this one waited.
    for (let from = version(); from < SCHEMA_VERSION; from += 1) {
      migrations[from]!(db);
      db.pragma(`user_version = ${from + 1}`);
    }
  }).immediate();
}

function checkOwnership(db: Db, path: string, version: number): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId === APPLICATION_ID) return;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
    n: number;
  };
  if (applicationId !== 0 || version !== 0 || tables.n > 0) {
    throw new HistoryError(`${path} is a SQLite database but not a cc-stress history file; ${fixHint}`);
  }
}
