import Database from 'better-sqlite3';
import type { StoreWriteOptions } from '../../core/store-write.js';

export type SqliteDatabase = Database.Database;

/** A schema change, applied once and recorded by id. Ids are namespaced by store: `containers/0001-initial`. */
export interface Migration {
  id: string;
  sql: string;
}

/**
 * Opens the engine's metadata database. WAL with synchronous=FULL: a committed transaction
 * survives a crash or power loss, and readers never block the writer. writeWith() relaxes that
 * for one write.
 */
export function openDatabase(path: string): SqliteDatabase {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  return db;
}

/**
 * Runs one store write as `options` asks (see StoreWriteOptions). A non-durable write commits
 * with synchronous=NORMAL: in WAL mode that skips the flush but never tears the database, and
 * the next FULL commit flushes the log with this write in it.
 */
export function writeWith<T>(db: SqliteDatabase, options: StoreWriteOptions | undefined, write: () => T): T {
  if (options?.durable !== false) return write();
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/** Applies, in order and each in its own transaction, the migrations not yet recorded. */
export function applyMigrations(db: SqliteDatabase, migrations: readonly Migration[]): void {
  const applied = new Set(
    db
      .prepare('SELECT id FROM schema_migrations')
      .all()
      .map((row) => (row as { id: string }).id),
  );
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.id, Date.now());
    })();
  }
}
