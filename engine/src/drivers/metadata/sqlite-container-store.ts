import { conflict } from '@berth/common';
import type { Container } from '../../core/containers/container.js';
import type { ContainerStore } from '../../core/containers/container-store.js';
import type { StoreWriteOptions } from '../../core/store-write.js';
import { writeWith, type Migration, type SqliteDatabase } from './sqlite-database.js';

export const containerMigrations: Migration[] = [
  {
    id: 'containers/0001-initial',
    sql: `CREATE TABLE containers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      record TEXT NOT NULL
    )`,
  },
];

/**
 * Container records in SQLite (one JSON document per row; the name column enforces uniqueness),
 * mirrored in memory because list and inspect are hot paths and this process is the only writer.
 * The mirror holds deep-frozen objects, replaced (never changed) on each write: listFrozen hands
 * them out without copying, and a stray write to one throws instead of corrupting the mirror.
 */
export class SqliteContainerStore implements ContainerStore {
  private readonly cache = new Map<string, Container>();
  /** listFrozen's array, rebuilt after a write. */
  private frozenList: readonly Container[] | undefined;
  private readonly insertStatement;
  private readonly updateStatement;
  private readonly deleteStatement;

  constructor(private readonly db: SqliteDatabase) {
    this.insertStatement = db.prepare('INSERT INTO containers (id, name, record) VALUES (?, ?, ?)');
    this.updateStatement = db.prepare('UPDATE containers SET name = ?, record = ? WHERE id = ?');
    this.deleteStatement = db.prepare('DELETE FROM containers WHERE id = ?');
    for (const row of db.prepare('SELECT record FROM containers').all() as { record: string }[]) {
      const container = JSON.parse(row.record) as Container;
      this.cache.set(container.id, deepFreeze(container));
    }
  }

  insert(container: Container): void {
    const existing = this.findByName(container.name);
    if (existing !== undefined) throw nameConflict(container.name, existing.id);
    this.insertStatement.run(container.id, container.name, JSON.stringify(container));
    this.remember(container);
  }

  update(container: Container, options?: StoreWriteOptions): void {
    const existing = this.findByName(container.name);
    if (existing !== undefined && existing.id !== container.id) throw nameConflict(container.name, existing.id);
    writeWith(this.db, options, () => this.updateStatement.run(container.name, JSON.stringify(container), container.id));
    this.remember(container);
  }

  delete(id: string): void {
    this.deleteStatement.run(id);
    this.cache.delete(id);
    this.frozenList = undefined;
  }

  get(id: string): Container | undefined {
    const container = this.cache.get(id);
    return container === undefined ? undefined : structuredClone(container);
  }

  findByName(name: string): Container | undefined {
    for (const container of this.cache.values()) if (container.name === name) return structuredClone(container);
    return undefined;
  }

  list(): Container[] {
    return [...this.cache.values()].map((container) => structuredClone(container));
  }

  listFrozen(): readonly Container[] {
    this.frozenList ??= Object.freeze([...this.cache.values()]);
    return this.frozenList;
  }

  private remember(container: Container): void {
    this.cache.set(container.id, deepFreeze(structuredClone(container)));
    this.frozenList = undefined;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function nameConflict(name: string, id: string) {
  return conflict(
    `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  );
}
