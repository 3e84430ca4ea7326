import type { VolumeRecord, VolumeStore, VolumeUse } from '../../core/volumes/volume.js';
import type { Migration, SqliteDatabase } from '../metadata/sqlite-database.js';

export const volumeMigrations: Migration[] = [
  {
    id: 'volumes/0001-initial',
    sql: `CREATE TABLE volumes (
      name TEXT PRIMARY KEY,
      record TEXT NOT NULL
    );
    CREATE TABLE volume_uses (
      container_id TEXT NOT NULL,
      destination TEXT NOT NULL,
      volume_name TEXT NOT NULL,
      record TEXT NOT NULL,
      PRIMARY KEY (container_id, destination)
    )`,
  },
];

/** Volumes and their uses in SQLite, one JSON document per row. */
export class SqliteVolumeStore implements VolumeStore {
  constructor(private readonly db: SqliteDatabase) {}

  list(): VolumeRecord[] {
    return (this.db.prepare('SELECT record FROM volumes ORDER BY rowid').all() as { record: string }[]).map(
      (row) => JSON.parse(row.record) as VolumeRecord,
    );
  }

  get(name: string): VolumeRecord | undefined {
    const row = this.db.prepare('SELECT record FROM volumes WHERE name = ?').get(name) as { record: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.record) as VolumeRecord);
  }

  insert(volume: VolumeRecord): void {
    this.db.prepare('INSERT INTO volumes (name, record) VALUES (?, ?)').run(volume.name, JSON.stringify(volume));
  }

  delete(name: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM volume_uses WHERE volume_name = ?').run(name);
      this.db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
    })();
  }

  listUses(filter: { containerId?: string; volumeName?: string } = {}): VolumeUse[] {
    const rows = this.db
      .prepare(
        'SELECT record FROM volume_uses WHERE (? IS NULL OR container_id = ?) AND (? IS NULL OR volume_name = ?) ORDER BY rowid',
      )
      .all(filter.containerId ?? null, filter.containerId ?? null, filter.volumeName ?? null, filter.volumeName ?? null) as {
      record: string;
    }[];
    return rows.map((row) => JSON.parse(row.record) as VolumeUse);
  }

  putUse(use: VolumeUse): void {
    this.db
      .prepare(
        `INSERT INTO volume_uses (container_id, destination, volume_name, record) VALUES (?, ?, ?, ?)
         ON CONFLICT (container_id, destination) DO UPDATE SET volume_name = excluded.volume_name, record = excluded.record`,
      )
      .run(use.containerId, use.destination, use.volumeName, JSON.stringify(use));
  }

  deleteUses(containerId: string): void {
    this.db.prepare('DELETE FROM volume_uses WHERE container_id = ?').run(containerId);
  }
}
